import pytest

from mlgate.compare.thresholds import ThresholdSyntaxError, parse_threshold


@pytest.mark.parametrize(
    ("text", "kind", "value", "sign", "op"),
    [
        ("+5%", "relative", 0.05, 1, None),
        ("5%", "relative", 0.05, 0, None),
        ("-0.5pp", "points", 0.005, -1, None),
        ("+0.01", "absolute", 0.01, 1, None),
        (">= 0.999", "bound", 0.999, 0, ">="),
        ("<=1e-3", "bound", 0.001, 0, "<="),
        (" +12.5 % ", "relative", 0.125, 1, None),
        (3, "absolute", 3.0, 0, None),
    ],
)
def test_parses_every_accepted_form(text, kind, value, sign, op):
    threshold = parse_threshold(text)
    assert (threshold.kind, threshold.sign, threshold.op) == (kind, sign, op)
    assert threshold.value == pytest.approx(value)


@pytest.mark.parametrize(
    "text", ["fast", "5 parsecs", "++5%", "%5", "", ">= nan", "inf%", None, True]
)
def test_rejects_with_accepted_forms(text):
    with pytest.raises(ThresholdSyntaxError) as info:
        parse_threshold(text)
    assert "'+5%'" in str(info.value) or "finite" in str(info.value)


def test_direction_is_checked_against_the_metric():
    parse_threshold("+5%").check_direction(higher_is_better=False)
    parse_threshold("-0.5pp").check_direction(higher_is_better=True)
    parse_threshold("5%").check_direction(higher_is_better=True)  # unsigned: the bad way
    with pytest.raises(ThresholdSyntaxError, match="write '\\+5%'"):
        parse_threshold("-5%").check_direction(higher_is_better=False)
    with pytest.raises(ThresholdSyntaxError, match=r"write '-0\.5pp'"):
        parse_threshold("+0.5pp").check_direction(higher_is_better=True)
