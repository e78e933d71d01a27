"""A hostile crawl: every route, as one persona, with NUL bytes, ids past 2**31 and far dates.

`HostileCrawler.crawl_route` takes each route of the access matrix (which lists every rule of
`app.url_map`) with a real path and:

- puts hostile values into each path parameter in turn (the others keep the real record's id);
- for a page: opens it, reads its forms (html.parser), sends hostile values in the query string
  for every field of its GET forms and every parameter of its links back to itself (?page=2), and
  follows its links to pages of other routes, or of the same route with other words in the path
  (/screening/inquiry/1/record/cows after .../phq9), doing the same there;
- keeps the page's POST forms for `attack_form`: the form as the page filled it, with one field
  at a time replaced by each hostile value for its kind of input, with the session's CSRF token.
  `attack_bare_post` does the same with the matrix's body for a POST route no page offered.

What one persona tried (a route's path parameters and query strings, a form) is not tried again
by the next one: parsing is the same for everyone, and the crawl stays well under a minute; every
persona still opens every page it may. Every answer of 500 or more is recorded. The persona's
session is kept: sign-out forms are never posted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlencode, urlsplit

NUL = "\x00"
WITH_NUL = "a\x00b"
OVERFLOW_IDS = ["2147483648", "99999999999999999999"]
FAR_DATES = ["9999-12-31", "0001-01-01", "10000-01-01"]
FAR_MOMENTS = ["9999-12-31T23:59", "0001-01-01T00:00", "10000-01-01T00:00"]
NUMBER_VALUES = [WITH_NUL, *OVERFLOW_IDS]
# A query parameter no form names (a link's ?page=2): any kind of value.
LINK_VALUES = [WITH_NUL, *OVERFLOW_IDS, FAR_DATES[0]]
# Path parameters, by converter: an <int:...> past 2**31 matches no route; a string one is a token.
PATH_VALUES = {"int": [NUL, *OVERFLOW_IDS], "default": [NUL, OVERFLOW_IDS[0], "x" * 40, FAR_DATES[0]]}
NEVER_POST = {"/auth/logout"}


def hostile_values(kind: str) -> list[str]:
    """The hostile values worth trying in an input of this kind (every input can carry a NUL
    byte; dates and ids where a date or an id is expected)."""
    if kind == "date":
        return [WITH_NUL, *FAR_DATES]
    if kind == "datetime-local":
        return [WITH_NUL, *FAR_MOMENTS]
    if kind in ("number", "hidden", "range", "id"):
        return NUMBER_VALUES
    return [WITH_NUL]  # text, and a choice among words (an enum member or nothing)


_ROW_INDEX = re.compile(r"-[0-9]+-")


@dataclass
class Form:
    action: str
    method: str
    # (name, kind, value): value None for a checkbox or radio button the page left unchecked
    fields: list[tuple[str, str, str | None]] = field(default_factory=list)

    def key(self) -> tuple:
        """The same form on another record (a reminder's cancel form, row after row) is one form."""
        return (re.sub(r"/[0-9]+", "/N", self.action), tuple(sorted({name for name, _, _ in self.fields})))

    def filled(self) -> dict[str, list[str]]:
        """The body the page would send as it stands."""
        body: dict[str, list[str]] = {}
        for name, _, value in self.fields:
            if value is not None:
                body.setdefault(name, []).append(value)
        return body

    def distinct_fields(self) -> list[tuple[str, str]]:
        """One (name, kind) per field worth attacking: a radio group or checkbox list once, and of
        repeated rows (regimen-0-dose, regimen-1-dose, ...; a verification's service lines, each a
        `line__field` group) only the first."""
        seen, fields = set(), []
        for name, kind, _ in self.fields:
            shape = _ROW_INDEX.sub("-N-", name.split("__", 1)[-1])
            if name != "csrf_token" and shape not in seen:
                seen.add(shape)
                fields.append((name, kind))
        return fields


class FormParser(HTMLParser):
    """Every <form> on a page: its action, method and fields, filled as the page filled them.
    A select or a checkbox with numeric values is an "id" (or a score); one with words a "choice"."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.links: set[str] = set()
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.add(a["href"])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        elif tag == "form":
            action = a.get("action") or self.page_path
            self._form = Form(urlsplit(action).path or self.page_path, (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            self._input(a)
        elif tag == "select":
            self._select = (a["name"], [], [])
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def _input(self, a: dict) -> None:
        kind = (a.get("type") or "text").lower()
        if kind in ("submit", "button", "image", "reset", "file"):
            return
        value: str | None = a.get("value", "on" if kind == "checkbox" else "")
        if kind in ("checkbox", "radio"):
            kind = "id" if value.isdigit() else "choice"
            value = value if "checked" in a else None
        self._form.fields.append((a["name"], kind, value))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            name, options, selected = self._select
            kind = "id" if any(option.isdigit() for option in options) else "choice"
            self._form.fields.append((name, kind, (selected or options or [""])[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, "textarea", self._text.strip("\n")))
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def read_page(page_path: str, html: str) -> FormParser:
    parser = FormParser(page_path)
    parser.feed(html)
    return parser


def forms_on(page_path: str, html: str) -> list[Form]:
    return read_page(page_path, html).forms


def link_parameters(page_path: str, links: set[str]) -> set[str]:
    """The query parameters of the page's links back to itself (?page=2, ?tab=email)."""
    names = set()
    for link in links:
        target = urlsplit(link)
        if target.path == page_path and target.query:
            names |= {part.split("=", 1)[0] for part in target.query.split("&") if part}
    return names


_ARGUMENT = re.compile(r"<(?:([^:<>(]+)(?:\([^<>]*\))?:)?([^<>]+)>")


def path_variants(rule: str, args: dict) -> list[str]:
    """The rule's path with each of its parameters in turn replaced by each hostile value (the
    others keep `args`, a real path's values)."""
    variants = []
    for converter, name in _ARGUMENT.findall(rule):
        for value in PATH_VALUES.get(converter or "default", PATH_VALUES["default"]):
            parts = {n: quote(value if n == name else str(v), safe="") for n, v in args.items()}
            variants.append(_ARGUMENT.sub(lambda m, parts=parts: parts[m.group(2)], rule))
    return variants


@dataclass
class Failure:
    persona: str
    method: str
    path: str
    sent: str
    status: int

    def __str__(self) -> str:
        return f"{self.persona}: {self.method} {self.path} {self.sent} -> {self.status}"


# (path, method) -> (rule, args), or None when no rule matches (app.url_map, bound)
Matcher = Callable[[str, str], tuple[str, dict] | None]


@dataclass
class HostileCrawler:
    client: object
    persona: str
    match: Matcher
    csrf: str | None
    tried: set = field(default_factory=set)  # shared between personas
    failures: list[Failure] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    requests: int = 0
    _opened: set = field(default_factory=set)

    def _check(self, response, method: str, path: str, sent: str = "") -> None:
        self.requests += 1
        if response.status_code >= 500:
            self.failures.append(Failure(self.persona, method, path, sent[:120], response.status_code))

    def get(self, path: str, query: dict | None = None):
        response = self.client.get(path + ("?" + urlencode(query) if query else ""))
        self._check(response, "GET", path, repr(query or ""))
        return response

    def post(self, path: str, data: dict):
        response = self.client.post(path, data={**({"csrf_token": self.csrf} if self.csrf else {}), **data})
        self._check(response, "POST", path, repr({k: v for k, v in data.items() if k != "csrf_token"}))
        return response

    def _first_time(self, key) -> bool:
        if key in self.tried:
            return False
        self.tried.add(key)
        return True

    def crawl_route(self, rule: str, args: dict, method: str, path: str, data: dict | None = None) -> None:
        """Hostile path parameters, then (for a page) the page itself."""
        if self._first_time((rule, method)):
            for variant in path_variants(rule, args):
                self.get(variant) if method == "GET" else self.post(variant, data or {})
        if method == "GET":
            self.open_page(rule, args, path)

    def open_page(self, rule: str, args: dict, path: str) -> None:
        """The page, hostile query strings, its POST forms kept, and the pages it links to."""
        words = tuple(sorted((k, v) for k, v in args.items() if not isinstance(v, int)))
        if (rule, words) in self._opened:
            return
        self._opened.add((rule, words))
        page = self.get(path)
        if page.status_code != 200 or page.mimetype != "text/html":
            return
        found = read_page(path, page.get_data(as_text=True))
        params = {name: kind for form in found.forms if form.method == "get" for name, kind, _ in form.fields}
        for name in link_parameters(path, found.links):
            params.setdefault(name, "link")
        for name, kind in sorted(params.items()):
            if self._first_time((rule, "?" + name)):
                for value in LINK_VALUES if kind == "link" else hostile_values(kind):
                    self.get(path, {name: value})
        self.forms += [form for form in found.forms if form.method == "post"]
        for link in sorted(found.links):
            target = unquote(urlsplit(link).path)
            matched = self.match(target, "GET")
            if matched is not None and not target.startswith("/static/"):
                self.open_page(*matched, target)

    def attack_forms(self) -> None:
        for form in self.forms:
            self.attack_form(form)

    def attack_form(self, form: Form) -> None:
        if form.action in NEVER_POST or not self._first_time(form.key()):
            return
        self.tried.add(("form", form.action))
        filled = form.filled()
        for name, kind in form.distinct_fields():
            for value in hostile_values(kind):
                self.post(form.action, {**filled, name: value})

    def attack_bare_post(self, path: str, data: dict | None) -> None:
        """A POST route no page offered a form for: its matrix body with each field made hostile."""
        data = data or {}
        if path in NEVER_POST or ("form", path) in self.tried or not self._first_time((path, tuple(sorted(data)))):
            return
        self.post(path, data)
        for name in data:
            for value in LINK_VALUES:
                self.post(path, {**data, name: value})
