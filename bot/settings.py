"""The bot's settings: a TOML file overridden by CLIMABOT_* environment variables, checked up front.

Build them with load_settings(); every problem becomes a ConfigError whose text is one line naming
the key and the fix. Relative paths are relative to the working directory the bot is started in.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)
from pydantic_settings.sources.utils import parse_env_vars

from bot.durations import parse_duration

ENV_PREFIX = "CLIMABOT_"
ENV_NESTED_DELIMITER = "__"
CONFIG_ENV_VAR = "CLIMABOT_CONFIG"
DEFAULT_CONFIG_FILE = Path("config.toml")
TOKEN_ENV_VAR = "CLIMABOT_DISCORD__TOKEN"
MASK = "********"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming the key and the fix."""


def _split_list(value: Any) -> Any:
    """Accept a list from an environment variable as JSON (`[1, 2]`) or comma-separated (`1, 2`)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"not a valid JSON list ({text[:40]!r}); write it like [1, 2]") from None
    return [part.strip() for part in text.split(",") if part.strip()]


def _duration(value: str) -> str:
    """Check that a config value parses as a duration."""
    try:
        parse_duration(value)
    except ValueError as problem:
        raise ValueError(f"invalid duration {value[:40]!r}: {problem}") from None
    return value


def _positive_duration(value: str) -> str:
    """Check that a config value parses as a duration longer than zero."""
    if parse_duration(_duration(value)) <= timedelta(0):
        raise ValueError(f"duration {value!r} must be longer than zero, e.g. 1d")
    return value


def _check_token_text(token: str) -> None:
    """Refuse a token pasted with the 'Bot ' prefix or with spaces inside; the message never shows it."""
    text = token.strip()
    if text[:4].lower() == "bot ":
        raise ValueError("paste the token alone, without the 'Bot ' in front of it")
    if any(character.isspace() for character in text):
        raise ValueError("the token has spaces or line breaks inside it; copy it again in one piece")


@cache
def _zones_by_lowercase() -> dict[str, str]:
    """Map lower-cased IANA zone names to their spelling, to suggest a fix for a miscased name."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


GuildIds = Annotated[list[int], NoDecode, BeforeValidator(_split_list)]
Offsets = Annotated[
    list[Annotated[str, AfterValidator(_positive_duration)]], NoDecode, BeforeValidator(_split_list)
]


class DiscordSettings(BaseModel):
    """How to reach Discord: the token and the endpoints (which a proxy or the test emulator may replace)."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = None
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    command_guild_ids: GuildIds = Field(default_factory=list)

    @field_validator("token", mode="before")
    @classmethod
    def _blank_token_is_unset(cls, value: Any) -> Any:
        """Treat an empty token (as in the example config) the same as no token; refuse pasting mistakes."""
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str):
            _check_token_text(value)
        return value

    @field_validator("api_base_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        """Require an http(s) URL for the REST API."""
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value[:60]!r} is not an http(s) URL; use e.g. https://discord.com/api/v10")
        return value

    @field_validator("gateway_url")
    @classmethod
    def _check_gateway_url(cls, value: str) -> str:
        """Require a ws(s) URL for the gateway."""
        if not value.startswith(("ws://", "wss://")):
            raise ValueError(f"{value[:60]!r} is not a ws(s) URL; use e.g. wss://gateway.discord.gg/")
        return value

    @field_validator("command_guild_ids")
    @classmethod
    def _check_guild_ids(cls, value: list[int]) -> list[int]:
        """Require server ids to be positive numbers."""
        for guild_id in value:
            if guild_id <= 0:
                raise ValueError(f"{guild_id} is not a server id; use the numeric id of a Discord server")
        return value


class StorageSettings(BaseModel):
    """Where the database and the downloaded media live."""

    model_config = ConfigDict(extra="forbid")

    database_path: Path = Path("data/climabot.sqlite3")
    media_dir: Path = Path("data/media")


class DefaultsSettings(BaseModel):
    """Defaults a server can override: time zone, deadline reminder offsets, late-job grace."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = "Europe/Brussels"
    reminder_offsets: Offsets = Field(default_factory=lambda: ["14d", "3d", "1d"])
    misfire_grace: Annotated[str, AfterValidator(_duration)] = "1h"

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        """Require a time zone name the IANA database knows, in any case; store its proper spelling."""
        # europe/brussels is accepted as Europe/Brussels, as the calls import accepts it.
        value = _zones_by_lowercase().get(value.strip().lower(), value)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            suggestion = "Europe/Brussels"
            raise ValueError(
                f"unknown time zone {value[:60]!r}; use an IANA name such as {suggestion}"
            ) from None
        return value

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        """The default time zone as a ZoneInfo."""
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def reminder_deltas(self) -> list[timedelta]:
        """The reminder offsets as timedeltas, longest first, without duplicates."""
        return sorted({parse_duration(offset) for offset in self.reminder_offsets}, reverse=True)

    @property
    def misfire_grace_delta(self) -> timedelta:
        """How late a missed job may still run, as a timedelta."""
        return parse_duration(self.misfire_grace)


class LimitsSettings(BaseModel):
    """What one member may do, so that one person (or a script) cannot flood a server or its disk."""

    model_config = ConfigDict(extra="forbid")

    testimonials_per_campaign_per_day: int = Field(default=3, ge=1, le=1000)
    questions_per_day: int = Field(default=5, ge=1, le=1000)
    cities_per_question: int = Field(default=5, ge=1, le=25)
    open_photo_forms_per_member: int = Field(default=2, ge=1, le=20)
    pending_photos_max_mb: int = Field(default=200, ge=1, le=100_000)
    rejected_photo_retention: Annotated[str, AfterValidator(_positive_duration)] = "30d"

    @property
    def rejected_photo_retention_delta(self) -> timedelta:
        """How long a rejected testimonial keeps its photo, as a timedelta."""
        return parse_duration(self.rejected_photo_retention)

    @property
    def pending_photos_max_bytes(self) -> int:
        """The disk all photos of unsent forms may take together, in bytes."""
        return self.pending_photos_max_mb * 1024 * 1024


class LoggingSettings(BaseModel):
    """How much the bot logs, and in which shape: text lines, or one JSON object a line for log shippers."""

    model_config = ConfigDict(extra="forbid")

    level: str = "INFO"
    format: str = "text"

    @field_validator("format")
    @classmethod
    def _check_format(cls, value: str) -> str:
        """Require text or json, in any case; store it lower-case."""
        lower = value.strip().lower()
        if lower not in LOG_FORMATS:
            raise ValueError(f"unknown logging format {value[:20]!r}; use text or json")
        return lower

    @field_validator("level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        """Require a standard logging level name, in any case; store it upper-case."""
        upper = value.strip().upper()
        if upper not in LOG_LEVELS:
            raise ValueError(f"unknown logging level {value[:20]!r}; use one of {', '.join(LOG_LEVELS)}")
        return upper


class MetricsSettings(BaseModel):
    """Prometheus metrics on 127.0.0.1; off unless a port is set."""

    model_config = ConfigDict(extra="forbid")

    port: int = Field(default=0, ge=0, le=65535)


class Settings(BaseSettings):
    """All settings of climabot; build with load_settings(), which reads the file and the environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        case_sensitive=False,
        extra="forbid",
    )

    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    defaults: DefaultsSettings = Field(default_factory=DefaultsSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Use only what the caller passes, so load_settings alone decides file and environment precedence."""
        return (init_settings,)


class _EnvironSource(EnvSettingsSource):
    """The pydantic-settings environment source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        """Remember the mapping before the base class loads variables from it."""
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        """Load variables from the given mapping."""
        return parse_env_vars(
            self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


def _locate(config_path: Path | None, environ: Mapping[str, str]) -> tuple[Path | None, str]:
    """Pick the config file and say where the choice came from."""
    if config_path is not None:
        return config_path, "--config"
    named = environ.get(CONFIG_ENV_VAR, "").strip()
    if named:
        return Path(named), CONFIG_ENV_VAR
    if DEFAULT_CONFIG_FILE.exists():
        return DEFAULT_CONFIG_FILE, "the working directory"
    return None, "defaults"


def find_config_file(
    config_path: Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Path | None:
    """Return the config file load_settings would read: --config, $CLIMABOT_CONFIG, ./config.toml, or None."""
    return _locate(config_path, os.environ if environ is None else environ)[0]


def _one_line(text: str) -> str:
    """Collapse text to a single line."""
    return " ".join(text.split())


def _read_toml(path: Path, origin: str) -> dict[str, Any]:
    """Read and parse the config file, turning every failure into a one-line ConfigError."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as problem:
        # The message already ends with "(at line L, column C)".
        raise ConfigError(_one_line(f"config error: {path}: invalid TOML: {problem}")) from None
    except UnicodeDecodeError:
        raise ConfigError(f"config error: {path}: not UTF-8 text; save the file as UTF-8") from None
    except OSError as problem:
        reason = problem.strerror or type(problem).__name__
        raise ConfigError(
            _one_line(
                f"config error: cannot read config file {path} (named by {origin}): {reason}; check the path"
            )
        ) from None


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge override into a copy of base, key by key inside tables."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _dotted(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as `section.key[index]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _explain(error: Mapping[str, Any]) -> str:
    """Turn one pydantic error into a short instruction."""
    loc = error["loc"]
    kind = error["type"]
    if kind == "extra_forbidden":
        if len(loc) == 1:
            return f"unknown section; known sections: {', '.join(Settings.model_fields)}"
        section = Settings.model_fields.get(str(loc[0]))
        model = section.annotation if section else None
        if isinstance(model, type) and issubclass(model, BaseModel):
            return f"unknown key; keys in [{loc[0]}] are {', '.join(model.model_fields)}"
        return "unknown key; remove it or check the spelling"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"must be a table; write it as a [{_dotted(loc)}] section"
    if kind == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    message = str(error["msg"])
    return message[:1].lower() + message[1:]


def _source_hint(loc: tuple[int | str, ...], env_data: Mapping[str, Any], file: Path | None) -> str:
    """Say whether the bad value came from an environment variable or the file."""
    names = [str(part) for part in loc if isinstance(part, str)]
    node: Any = env_data
    depth = 0
    for name in names:
        if not isinstance(node, Mapping) or name not in node:
            break
        node = node[name]
        depth += 1
    if depth >= 2 or (depth == 1 and not isinstance(node, Mapping)):
        return f" (from {ENV_PREFIX}{ENV_NESTED_DELIMITER.join(names[:depth]).upper()})"
    if file is not None:
        return f" (in {file})"
    return ""


def _describe(problem: ValidationError, env_data: Mapping[str, Any], file: Path | None) -> str:
    """Summarise a validation failure as one line naming the first bad key."""
    errors = problem.errors(include_url=False, include_input=False)
    first = errors[0]
    loc = tuple(first["loc"])
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    line = f"config error: {_dotted(loc)}: {_explain(first)}{_source_hint(loc, env_data, file)}{more}"
    return _one_line(line)


def _describe_env_problem(problem: SettingsError) -> str:
    """Summarise an environment variable pydantic-settings could not decode."""
    match = re.search(r'field "(\w+)"', str(problem))
    if match is None:
        return _one_line(f"config error: environment: {problem}")
    section = match[1]
    variable = f"{ENV_PREFIX}{section.upper()}"
    return (
        f"config error: {section}: environment variable {variable} is not a JSON object; "
        f"set single keys with {variable}{ENV_NESTED_DELIMITER}<KEY>"
    )


def load_settings(config_path: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the config file (if any) and CLIMABOT_* variables (which win), validate, or raise ConfigError."""
    env = os.environ if environ is None else environ
    path, origin = _locate(config_path, env)
    file_data = _read_toml(path, origin) if path is not None else {}
    try:
        env_data = _EnvironSource(Settings, env)()
    except SettingsError as problem:
        raise ConfigError(_describe_env_problem(problem)) from None
    merged = _deep_merge(file_data, env_data)
    for key in merged:
        # Checked here because BaseSettings quietly takes keys such as "_env_file" as its own options.
        if key not in Settings.model_fields:
            hint = _source_hint((key,), env_data, path)
            raise ConfigError(
                _one_line(
                    f"config error: {key}: {_explain({'loc': (key,), 'type': 'extra_forbidden'})}{hint}"
                )
            )
    try:
        return Settings.model_validate(merged)
    except ValidationError as problem:
        raise ConfigError(_describe(problem, env_data, path)) from None


def require_token(settings: Settings) -> str:
    """Return the Discord token, or raise ConfigError saying how to set it."""
    token = settings.discord.token.get_secret_value().strip() if settings.discord.token else ""
    if not token:
        raise ConfigError(
            f"config error: discord.token is missing; set {TOKEN_ENV_VAR} or discord.token in the config file"
        )
    return token


def _toml_value(value: Any) -> str:
    """Render one settings value as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    # JSON string escapes are a subset of TOML basic-string escapes.
    return json.dumps(str(value), ensure_ascii=False)


def masked_dump(settings: Settings) -> str:
    """Render the effective settings as TOML, with secrets shown as ******** or (not set)."""
    sections = []
    for section_name in Settings.model_fields:
        section = getattr(settings, section_name)
        lines = [f"[{section_name}]"]
        for key in type(section).model_fields:
            value = getattr(section, key)
            if isinstance(value, SecretStr) or (value is None and key == "token"):
                shown = f'"{MASK}"' if value is not None and value.get_secret_value() else '""  # (not set)'
                lines.append(f"{key} = {shown}")
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        sections.append("\n".join(lines))
    return "\n\n".join(sections)
