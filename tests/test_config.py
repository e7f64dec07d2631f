"""funnel.toml: documented defaults, overrides key by key, clear errors."""

from __future__ import annotations

import pytest

from funnel_tui.config import ConfigError, load_config, user_config_path


def test_defaults_match_the_design(isolated_home):
    config = load_config()
    assert [(s.name, s.probability) for s in config.stages] == [
        ("Qualification", 10),
        ("Needs analysis", 25),
        ("Proposal", 50),
        ("Negotiation", 75),
        ("Won", 100),
        ("Lost", 0),
    ]
    assert [s.name for s in config.open_stages] == [
        "Qualification",
        "Needs analysis",
        "Proposal",
        "Negotiation",
    ]
    assert (config.need_required, config.min_bant_yes, config.min_score) == (True, 3, 60)
    assert config.default_region == ""
    assert config.email_deliverability is False
    assert config.source_path is None
    assert "Trade show" in config.lead_sources and "Price" in config.loss_reasons


def test_user_file_overrides_only_the_keys_it_sets(isolated_home):
    path = user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text('default_region = "mx"\n[qualification]\nmin_score = 70\n', encoding="utf-8")
    config = load_config()
    assert config.default_region == "MX"
    assert config.min_score == 70
    assert config.min_bant_yes == 3  # untouched keys of the same table keep their defaults
    assert config.source_path == path


def test_stages_can_be_replaced(tmp_path):
    path = tmp_path / "funnel.toml"
    path.write_text(
        'won_stage = "Closed won"\nlost_stage = "Closed lost"\n'
        '[[stages]]\nname = "Discovery"\nprobability = 20\n'
        '[[stages]]\nname = "Closed won"\nprobability = 100\n'
        '[[stages]]\nname = "Closed lost"\nprobability = 0\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert [s.name for s in config.open_stages] == ["Discovery"]
    assert config.stage("discovery").stale_days == 14


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("default_region = \n", "funnel.toml"),
        ('won_stage = "Champagne"\n', "'Champagne' is not among the stages"),
        ("[[icp]]\nkey = 'x'\nkind = 'maybe'\n", "kind must be 'in' or 'min'"),
        (
            "[[stages]]\nname = 'Won'\nprobability = 150\n"
            "[[stages]]\nname = 'Lost'\nprobability = 0\n"
            "[[stages]]\nname = 'Open'\nprobability = 5\n",
            "stage 'Won' probability must be 0–100",
        ),
    ],
)
def test_bad_config_is_refused_with_the_file_and_reason(tmp_path, text, message):
    path = tmp_path / "funnel.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path)
    assert str(path) in str(error.value)


def test_a_named_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.toml")
