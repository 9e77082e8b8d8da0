"""Settings: defaults, the TOML file, environment overrides and one-line errors for every bad input."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.settings import (
    ConfigError,
    Settings,
    find_config_file,
    load_settings,
    masked_dump,
    require_token,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def write(tmp_path: Path, text: str, name: str = "climabot.toml") -> Path:
    """Write a config file into the test's folder and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(*args: object, **kwargs: object) -> str:
    """Call load_settings expecting a ConfigError; return its message after checking it is one line."""
    with pytest.raises(ConfigError) as caught:
        load_settings(*args, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("config error: ")
    return message


@pytest.fixture(autouse=True)
def _in_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test in an empty folder so a developer's ./config.toml cannot leak in."""
    monkeypatch.chdir(tmp_path)


def test_defaults_without_file_or_environment() -> None:
    """Without a file or variables every key has the documented default."""
    settings = load_settings(environ={})
    assert settings.discord.token is None
    assert settings.discord.api_base_url == "https://discord.com/api/v10"
    assert settings.discord.gateway_url == "wss://gateway.discord.gg/"
    assert settings.discord.command_guild_ids == []
    assert settings.storage.database_path == Path("data/climabot.sqlite3")
    assert settings.storage.media_dir == Path("data/media")
    assert settings.defaults.timezone == "Europe/Brussels"
    assert settings.defaults.tzinfo == ZoneInfo("Europe/Brussels")
    assert settings.defaults.reminder_deltas == [timedelta(days=14), timedelta(days=3), timedelta(days=1)]
    assert settings.defaults.misfire_grace_delta == timedelta(hours=1)
    assert settings.logging.level == "INFO"


def test_example_config_matches_the_defaults() -> None:
    """config.example.toml loads to exactly the defaults."""
    assert load_settings(EXAMPLE, environ={}) == Settings()


def test_example_config_has_every_key_with_a_comment() -> None:
    """config.example.toml names every section and key of the settings, each with a comment."""
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(example) == set(Settings.model_fields)
    for section, model in Settings.model_fields.items():
        assert model.annotation is not None
        assert set(example[section]) == set(model.annotation.model_fields), section
    key_lines = [
        line for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if re.match(r"[a-z_]+ = ", line)
    ]
    assert len(key_lines) == sum(len(keys) for keys in example.values())
    assert all(" # " in line for line in key_lines), [line for line in key_lines if " # " not in line]


def test_file_values_are_used(tmp_path: Path) -> None:
    """Every key given in the file is used, with durations and zone parsed."""
    path = write(
        tmp_path,
        """
        [discord]
        token = "from-file"
        command_guild_ids = [123, 456]
        [storage]
        database_path = "elsewhere/bot.db"
        [defaults]
        timezone = "America/New_York"
        reminder_offsets = ["1w", "2h", "1d"]
        misfire_grace = "30m"
        [logging]
        level = "debug"
        """,
    )
    settings = load_settings(path, environ={})
    assert require_token(settings) == "from-file"
    assert settings.discord.command_guild_ids == [123, 456]
    assert settings.storage.database_path == Path("elsewhere/bot.db")
    assert settings.defaults.tzinfo == ZoneInfo("America/New_York")
    assert settings.defaults.reminder_deltas == [timedelta(weeks=1), timedelta(days=1), timedelta(hours=2)]
    assert settings.defaults.misfire_grace_delta == timedelta(minutes=30)
    assert settings.logging.level == "DEBUG"


def test_environment_overrides_file_key_by_key(tmp_path: Path) -> None:
    """A CLIMABOT_ variable replaces only its own key; the file's other keys stay."""
    path = write(
        tmp_path,
        """
        [discord]
        token = "from-file"
        api_base_url = "http://127.0.0.1:1/api/v10"
        [defaults]
        timezone = "Europe/Lisbon"
        """,
    )
    settings = load_settings(
        path,
        environ={"CLIMABOT_DISCORD__TOKEN": "from-env", "CLIMABOT_DEFAULTS__MISFIRE_GRACE": "2h"},
    )
    assert require_token(settings) == "from-env"
    # Keys the environment does not name keep their file values.
    assert settings.discord.api_base_url == "http://127.0.0.1:1/api/v10"
    assert settings.defaults.timezone == "Europe/Lisbon"
    assert settings.defaults.misfire_grace_delta == timedelta(hours=2)


def test_environment_without_file_uses_double_underscore_nesting() -> None:
    """CLIMABOT_SECTION__KEY sets a key without any file."""
    settings = load_settings(
        environ={
            "CLIMABOT_STORAGE__MEDIA_DIR": "/srv/media",
            "CLIMABOT_LOGGING__LEVEL": "warning",
            "CLIMABOT_DISCORD__GATEWAY_URL": "ws://127.0.0.1:5000/",
        }
    )
    assert settings.storage.media_dir == Path("/srv/media")
    assert settings.logging.level == "WARNING"
    assert settings.discord.gateway_url == "ws://127.0.0.1:5000/"


def test_unrelated_environment_is_ignored() -> None:
    """Variables outside the CLIMABOT_SECTION__KEY scheme change nothing."""
    settings = load_settings(environ={"CLIMABOT_SOMETHING": "x", "DISCORD__TOKEN": "nope", "PATH": "/bin"})
    assert settings == Settings()


@pytest.mark.parametrize("value", ["[1,2]", "[1, 2]", " 1, 2 "])
def test_guild_ids_from_environment_as_json_or_commas(value: str) -> None:
    """Server ids can be given as a JSON list or comma-separated."""
    settings = load_settings(environ={"CLIMABOT_DISCORD__COMMAND_GUILD_IDS": value})
    assert settings.discord.command_guild_ids == [1, 2]


def test_reminder_offsets_from_environment() -> None:
    """Reminder offsets can be given as a JSON list in the environment."""
    settings = load_settings(environ={"CLIMABOT_DEFAULTS__REMINDER_OFFSETS": '["2d", "6h"]'})
    assert settings.defaults.reminder_deltas == [timedelta(days=2), timedelta(hours=6)]


def test_config_file_from_environment_variable(tmp_path: Path) -> None:
    """$CLIMABOT_CONFIG names the file when --config is not given."""
    path = write(tmp_path, '[logging]\nlevel = "ERROR"\n', name="elsewhere.toml")
    environ = {"CLIMABOT_CONFIG": str(path)}
    assert find_config_file(environ=environ) == path
    assert load_settings(environ=environ).logging.level == "ERROR"


def test_explicit_path_beats_environment_variable(tmp_path: Path) -> None:
    """--config wins over $CLIMABOT_CONFIG."""
    chosen = write(tmp_path, '[logging]\nlevel = "ERROR"\n', name="chosen.toml")
    other = write(tmp_path, '[logging]\nlevel = "DEBUG"\n', name="other.toml")
    assert load_settings(chosen, environ={"CLIMABOT_CONFIG": str(other)}).logging.level == "ERROR"


def test_config_toml_in_working_directory_is_found(tmp_path: Path) -> None:
    """./config.toml is read when nothing else names a file."""
    write(tmp_path, '[logging]\nlevel = "CRITICAL"\n', name="config.toml")
    assert find_config_file(environ={}) == Path("config.toml")
    assert load_settings(environ={}).logging.level == "CRITICAL"


def test_empty_token_counts_as_missing(tmp_path: Path) -> None:
    """A blank token is reported as missing, with how to set it."""
    settings = load_settings(write(tmp_path, '[discord]\ntoken = "  "\n'), environ={})
    with pytest.raises(ConfigError) as caught:
        require_token(settings)
    assert str(caught.value) == (
        "config error: discord.token is missing; "
        "set CLIMABOT_DISCORD__TOKEN or discord.token in the config file"
    )


def test_missing_token_is_reported() -> None:
    """No token at all is reported when a token is required."""
    with pytest.raises(ConfigError, match=r"discord\.token is missing"):
        require_token(load_settings(environ={}))


def test_token_never_in_repr_str_or_dump() -> None:
    """The token appears in no repr, str or dump of the settings."""
    secret = "MTIz.secret-token.value"
    settings = load_settings(environ={"CLIMABOT_DISCORD__TOKEN": secret})
    assert require_token(settings) == secret
    for text in (repr(settings), str(settings), masked_dump(settings), repr(settings.discord)):
        assert secret not in text
    assert 'token = "********"' in masked_dump(settings)


def test_masked_dump_is_toml_that_loads_back(tmp_path: Path) -> None:
    """The dump is valid TOML that loads back to the same settings, odd paths included."""
    settings = load_settings(
        environ={
            "CLIMABOT_DISCORD__COMMAND_GUILD_IDS": "[7, 8]",
            "CLIMABOT_STORAGE__DATABASE_PATH": 'odd "name"\\x.db',
        }
    )
    dump = masked_dump(settings)
    assert "(not set)" in dump
    reloaded = load_settings(write(tmp_path, dump), environ={})
    assert reloaded == settings


def test_unknown_time_zone() -> None:
    """An unknown zone names the key, the value, a valid example and the variable it came from."""
    message = config_error(environ={"CLIMABOT_DEFAULTS__TIMEZONE": "Mars/Olympus"})
    assert message.startswith(
        "config error: defaults.timezone: unknown time zone 'Mars/Olympus'; use an IANA name such as "
    )
    assert "CLIMABOT_DEFAULTS__TIMEZONE" in message


def test_miscased_time_zone_is_accepted_and_spelled_properly(tmp_path: Path) -> None:
    """A zone in the wrong case (or with spaces around it) is the same zone, stored in its IANA spelling."""
    settings = load_settings(write(tmp_path, '[defaults]\ntimezone = " america/new_york"\n'), environ={})
    assert settings.defaults.timezone == "America/New_York"
    assert settings.defaults.tzinfo == ZoneInfo("America/New_York")


def test_bad_reminder_offset_names_the_item(tmp_path: Path) -> None:
    """A malformed offset such as 3x names its list index and the accepted forms."""
    message = config_error(write(tmp_path, '[defaults]\nreminder_offsets = ["1d", "3x"]\n'), environ={})
    assert message.startswith("config error: defaults.reminder_offsets[1]: invalid duration '3x'")
    assert "90m" in message


def test_zero_reminder_offset_is_refused() -> None:
    """A zero offset is refused at its index."""
    message = config_error(environ={"CLIMABOT_DEFAULTS__REMINDER_OFFSETS": "1d,0m"})
    assert "defaults.reminder_offsets[1]" in message


def test_bad_misfire_grace(tmp_path: Path) -> None:
    """A misfire grace that is not a duration names the key."""
    message = config_error(write(tmp_path, '[defaults]\nmisfire_grace = "soon"\n'), environ={})
    assert message.startswith("config error: defaults.misfire_grace: invalid duration 'soon'")


def test_bad_logging_level() -> None:
    """An unknown logging level names the key and the accepted levels."""
    message = config_error(environ={"CLIMABOT_LOGGING__LEVEL": "loud"})
    assert message.startswith("config error: logging.level: unknown logging level 'loud'")
    assert "DEBUG" in message


def test_bad_guild_ids_from_environment() -> None:
    """Broken JSON or a non-number in the server ids names the key and the index."""
    assert "discord.command_guild_ids" in config_error(
        environ={"CLIMABOT_DISCORD__COMMAND_GUILD_IDS": "[1,2"}
    )
    assert "discord.command_guild_ids[1]" in config_error(
        environ={"CLIMABOT_DISCORD__COMMAND_GUILD_IDS": '[1, "x"]'}
    )


def test_bad_urls() -> None:
    """Endpoints must be http(s) for the API and ws(s) for the gateway."""
    assert "discord.api_base_url" in config_error(environ={"CLIMABOT_DISCORD__API_BASE_URL": "discord.com"})
    assert "discord.gateway_url" in config_error(environ={"CLIMABOT_DISCORD__GATEWAY_URL": "https://x/"})


def test_invalid_toml_names_file_line_and_column(tmp_path: Path) -> None:
    """Invalid TOML names the file, the line and the column."""
    path = write(tmp_path, '[discord]\napi_base_url = "https://x"\ntoken = \n')
    message = config_error(path, environ={})
    assert str(path) in message
    assert "invalid TOML" in message
    assert "line 3" in message
    assert "column" in message


def test_not_utf8_file(tmp_path: Path) -> None:
    """A file that is not UTF-8 says to save it as UTF-8."""
    path = tmp_path / "latin1.toml"
    path.write_bytes('[defaults]\ntimezone = "Europe/Brussels" # caf\xe9\n'.encode("latin-1"))
    assert "UTF-8" in config_error(path, environ={})


def test_unknown_key_in_a_section(tmp_path: Path) -> None:
    """A misspelt key is refused and the section's real keys are listed."""
    message = config_error(write(tmp_path, '[discord]\ntokn = "x"\n'), environ={})
    assert message.startswith("config error: discord.tokn: unknown key")
    assert "token" in message


def test_unknown_key_from_environment() -> None:
    """An unknown key from the environment names the variable."""
    message = config_error(environ={"CLIMABOT_STORAGE__DB": "x"})
    assert message.startswith("config error: storage.db: unknown key")
    assert "CLIMABOT_STORAGE__DB" in message


@pytest.mark.parametrize("section", ["[database]\npath = 'x'\n", "_env_file = 'x'\n", "token = 'x'\n"])
def test_unknown_top_level_section(tmp_path: Path, section: str) -> None:
    """Unknown sections, pydantic-settings' own options and loose keys are refused with the known sections."""
    message = config_error(write(tmp_path, section), environ={})
    assert "unknown section" in message
    assert "discord, storage, defaults, limits, logging" in message


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    """A section given as a plain value says to write it as a table."""
    assert "discord: must be a table" in config_error(write(tmp_path, "discord = 3\n"), environ={})


def test_section_given_as_broken_json_in_environment() -> None:
    """A whole section in one variable that is not JSON says to set single keys."""
    message = config_error(environ={"CLIMABOT_DISCORD": "token"})
    assert "CLIMABOT_DISCORD__<KEY>" in message


def test_wrong_value_type(tmp_path: Path) -> None:
    """A value of the wrong type names the key without echoing the value."""
    message = config_error(write(tmp_path, "[discord]\ntoken = 12345\n"), environ={})
    assert message.startswith("config error: discord.token: input should be a valid string")
    assert "12345" not in message


def test_several_problems_report_the_first_and_a_count(tmp_path: Path) -> None:
    """Several problems report the first in full and count the rest."""
    message = config_error(
        write(tmp_path, '[defaults]\ntimezone = "Nowhere/Land"\nmisfire_grace = "x"\n'), environ={}
    )
    assert "(and 1 more problem)" in message


def test_missing_explicit_file(tmp_path: Path) -> None:
    """A --config file that does not exist is named, with where the name came from."""
    message = config_error(tmp_path / "nope.toml", environ={})
    assert "nope.toml" in message
    assert "--config" in message
    assert "No such file" in message


def test_missing_file_named_by_environment(tmp_path: Path) -> None:
    """A missing file named by $CLIMABOT_CONFIG names the variable."""
    message = config_error(environ={"CLIMABOT_CONFIG": str(tmp_path / "gone.toml")})
    assert "gone.toml" in message
    assert "CLIMABOT_CONFIG" in message


def test_directory_instead_of_file(tmp_path: Path) -> None:
    """A folder given as config file cannot be read, in one line."""
    assert "cannot read config file" in config_error(tmp_path, environ={})


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    """A file without read permission says so."""
    path = write(tmp_path, "[logging]\n")
    path.chmod(0)
    try:
        message = config_error(path, environ={})
    finally:
        path.chmod(0o600)
    assert "Permission denied" in message


def test_dump_round_trips_through_tomllib() -> None:
    """The default dump parses with tomllib, lists intact and the unset token empty."""
    data = tomllib.loads(masked_dump(Settings()))
    assert data["defaults"]["reminder_offsets"] == ["14d", "3d", "1d"]
    assert data["discord"]["token"] == ""


def test_path_through_a_file_is_unreadable(tmp_path: Path) -> None:
    """A config path that runs through a plain file says it is not a directory."""
    blocker = write(tmp_path, "", name="plain-file")
    message = config_error(blocker / "config.toml", environ={})
    assert "cannot read config file" in message
    assert "Not a directory" in message


def test_limits_have_defaults_and_refuse_nonsense(tmp_path: Path) -> None:
    """Per-member limits default sensibly; a zero limit or a bad retention names the key."""
    settings = load_settings(write(tmp_path, "[discord]\ntoken = 'x'\n"), environ={})
    assert settings.limits.testimonials_per_campaign_per_day == 3
    assert settings.limits.rejected_photo_retention_delta.days == 30
    message = config_error(write(tmp_path, "[limits]\nquestions_per_day = 0\n"), environ={})
    assert message.startswith("config error: limits.questions_per_day")
    message = config_error(environ={"CLIMABOT_LIMITS__REJECTED_PHOTO_RETENTION": "soon"})
    assert "limits.rejected_photo_retention" in message
