"""Every rule of the domain has a test, each named test exists, and the README's rules table is this list."""
import pathlib

from tests import rules_index

TESTS = pathlib.Path(__file__).parent
README = TESTS.parent / "README.md"


def test_every_rule_names_at_least_one_test():
    assert [r.key for r in rules_index.RULES if not r.tests] == []
    assert len({r.key for r in rules_index.RULES}) == len(rules_index.RULES)


def test_every_named_test_exists():
    assert rules_index.missing_tests(TESTS) == []


def test_the_readmes_rules_table_is_the_index():
    assert rules_index.in_readme(README.read_text(encoding="utf-8")) == rules_index.section(), \
        "regenerate it: python -m tests.rules_index --write README.md"
