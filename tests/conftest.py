"""Fixture plugins only; the fixtures live in tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.roles",
    "tests.fixtures.app",
    "tests.fixtures.users",
    "tests.fixtures.queries",
    "tests.fixtures.intake",
    "tests.fixtures.smtp",
    "tests.fixtures.log_scan",
]


def pytest_collection_modifyitems(config, items):
    # Browser tests commit through a live server thread; run them last so their rows
    # (cleaned after each test anyway) can never surprise a faster test.
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))
