"""The OpenAPI document: valid OpenAPI 3.1, complete, and in step with what the API really accepts."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.versions import consts as versions
from openapi_spec_validator.versions.shortcuts import get_spec_version

from coordinator.contracts import intake
from coordinator.domain.intake import ReferralSource, Substance
from coordinator.roles import Role
from coordinator.rules import mme
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from tests.intake.test_api import URL, api_payload, auth, make_api_client, post

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def key(app, create_user) -> str:
    return make_api_client(app, create_user(Role.ADMIN).id)[1]


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def schema_validator(document: dict, name: str) -> Draft202012Validator:
    # A root that carries the components, so "#/components/..." references resolve.
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


def test_the_document_is_valid_openapi_3_1_and_needs_no_key(document):
    assert get_spec_version(document) == versions.OPENAPIV31
    validate(document)  # raises on any structural error


def test_every_api_route_and_method_is_documented(app, document):
    server = document["servers"][0]["url"]
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(server + "/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(server) :])
            routes |= {(path, method) for method in rule.methods - IGNORED_METHODS}
    assert routes and routes == documented


def test_every_documented_operation_has_a_security_decision_matching_the_app(app, document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            rule = next(
                r
                for r in app.url_map.iter_rules()
                if re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", r.rule) == "/api/v1" + path
            )
            policy = app.view_functions[rule.endpoint].access_policy
            public = operation.get("security", document["security"]) == []
            assert public == (policy.kind == "public"), (path, method)


def test_enums_come_from_the_vocabularies_and_the_drug_table(document):
    schemas = document["components"]["schemas"]
    create = schemas["InquiryCreate"]["properties"]
    assert create["referral_source"]["enum"] == [s.value for s in ReferralSource]
    assert create["substances"]["items"]["enum"] == [s.value for s in Substance]
    line = schemas["RegimenLine"]["properties"]
    assert line["drug"]["enum"] == [d.key for d in mme.DRUGS]
    assert set(line["unit"]["enum"]) == {u for d in mme.DRUGS for u in d.units}
    statuses = [*(s.value for s in InquiryStatus), "merged"]  # a merged inquiry reports only that
    assert schemas["InquiryStatus"]["properties"]["status"]["enum"] == statuses
    for name, limit in intake.TEXT_LIMITS.items():
        assert create[name]["maxLength"] == limit


def test_the_documented_fields_are_exactly_the_accepted_fields(client, key, document):
    properties = document["components"]["schemas"]["InquiryCreate"]["properties"]
    for name in properties:  # each documented field is known to the API (null means "not given")
        response = client.post(URL, json=api_payload(**{name: None}), headers=auth(key))
        assert response.status_code in (201, 422), (name, response.json)
    refused = post(client, key, api_payload(is_restricted=False))
    assert refused.status_code == 400 and "is_restricted" not in properties


def test_real_answers_match_the_documented_schemas(client, key, document):
    created = post(client, key, api_payload())
    schema_validator(document, "InquiryStatus").validate(created.json)
    schema_validator(document, "InquiryCreate").validate(api_payload())
    errors = schema_validator(document, "Error")
    for response in (
        post(client, key, api_payload(regimen=[{"drug": "x", "dose": 1, "unit": "mg"}])),
        post(client, key, b"[]"),
        post(client, None, api_payload()),
        client.get(f"{URL}/nope", headers=auth(key)),
        client.put(URL, headers=auth(key)),
    ):
        assert response.status_code >= 400
        errors.validate(response.json)
        documented = document["paths"]["/inquiries"].get("post")["responses"]
        if response.request.method == "POST":
            assert str(response.status_code) in documented


def test_a_documented_example_payload_passes_the_schema_and_the_api(client, key, document):
    payload = api_payload(
        regimen=[
            {"drug": "fentanyl_transdermal", "dose": 25, "unit": "mcg/hr"},
            {"drug": "buprenorphine", "dose": 8, "unit": "mg", "purpose": "oud"},
        ]
    )
    schema_validator(document, "InquiryCreate").validate(payload)
    assert post(client, key, payload).status_code == 201
