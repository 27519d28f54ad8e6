"""The shared pytest plugin's collection order: `make test` hands whole modules to its workers in it."""

import pytest

pytest_plugins = ["pytester"]


def test_modules_come_longest_first_and_those_scheduled_first_before_all(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["printbridge_shared.pytest_plugin"]')
    pytester.makeini("[pytest]\nmarkers =\n    e2e: starts a suite\n    scheduled_first: minutes long\n")
    pytester.makepyfile(
        test_one_unit="def test_a(): pass",
        test_five_units="\n".join(f"def test_{n}(): pass" for n in range(5)),
        test_one_suite="import pytest\npytestmark = pytest.mark.e2e\ndef test_suite(): pass",
        test_the_fault_run=(
            "import pytest\npytestmark = [pytest.mark.e2e, pytest.mark.scheduled_first]\ndef test_run(): pass"
        ),
    )

    collected = pytester.runpytest_subprocess("--collect-only", "-q").outlines
    modules = list(dict.fromkeys(line.split("::")[0] for line in collected if "::" in line))

    assert modules == ["test_the_fault_run.py", "test_one_suite.py", "test_five_units.py", "test_one_unit.py"]
