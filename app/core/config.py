"""Settings from `ZHIBEN_*` environment variables (and an optional `.env`).

Read through `get_settings()`, never at import time, so tests and the CLI can change them.
"""

from __future__ import annotations

import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = "secret_key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZHIBEN_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    redis_url: str | None = None
    upload_dir: Path | None = None
    log_level: str = "INFO"
    log_sql: bool = False
    # gc.freeze() once start-up is done (app/core/heap.py): full collections then skip the
    # ~340,000 start-up objects instead of stalling a request for tens to hundreds of ms.
    gc_freeze_on_start: bool = True
    # PostgreSQL pool and limits: past them a request answers 503 with Retry-After.
    # Kept connections cover a worker's usual concurrency: an overflow connection is opened
    # and closed per use (connect + TLS + close: ~2 % of a request's time under 16 clients
    # with 10 kept, issue 11's profile). 2 workers × (20 + 10) stays well below PostgreSQL's
    # default max_connections of 100.
    db_pool_size: int = Field(default=20, ge=1, le=1000)
    db_max_overflow: int = Field(default=10, ge=0, le=1000)
    db_pool_timeout_s: float = Field(default=10.0, gt=0, le=300)
    db_statement_timeout_ms: int = Field(default=15_000, ge=1, le=3_600_000)
    # PostgreSQL's JIT compiles a plan whose estimated cost passes `jit_above_cost`: ~100 ms
    # to 0.8 s of compilation for statements that run in milliseconds (a mis-estimated
    # count of enterprises did, bench/README.md "Issue 11"). Nothing here is analytic
    # enough to repay it; on for an operator who measures otherwise.
    db_jit: bool = False

    # Auth (brief §4): short-lived access tokens, rotated refresh tokens.
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=90)
    # A refresh retried within this many seconds with the just-rotated token gets the same new
    # refresh token instead of revoking the login (its first answer was lost on the network).
    refresh_grace_seconds: int = Field(default=30, ge=0, le=300)
    # Failed logins (OWASP Authentication Cheat Sheet, see README "Login limits"): a hard
    # limit per (username, client address); per username across addresses, a growing delay
    # past a higher threshold instead of a lock-out an attacker could impose on the owner.
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window_s: int = Field(default=15 * 60, ge=1)
    login_user_soft_failures: int = Field(default=20, ge=1, le=500)
    login_delay_max_s: float = Field(default=10.0, ge=0, le=60)
    # Idempotency records are replayable this long, then purged (`zhiben purge-idempotency`).
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)

    # Permit rules as data (permits.md §8): a JSON or TOML file of cited values within the
    # bounds of app/rules/permits/table.py; unset = the GB 30871 defaults. Checked at start-up.
    permit_rules_file: Path | None = None

    # Jurisdiction identity used in ledger numbers (e.g. YYL-2025-000123).
    ledger_prefix: str = Field(default="YYL", pattern=r"^[A-Z]{2,8}$")

    # Inspection check-in (issue 3): beyond this distance the check-in is flagged.
    checkin_radius_m: float = Field(default=500.0, gt=0)

    # A rectification deadline (plan, failed verification) lies at most this far ahead; a
    # longer one is an extension granted by the street office (issue 10 finding 12).
    plan_horizon_days: int = Field(default=365, ge=1, le=3650)

    # Public endpoints (issue 5).
    public_report_limit: str = "5/hour"
    public_upload_limit: str = "30/hour"
    trusted_proxies: list[str] = Field(default_factory=list)
    phone_key: str = ""
    public_status_limit: str = "120/hour"
    # Caps on all anonymous traffic of a kind, whoever sends it (the database's protection).
    public_global_report_limit: str = "2000/hour"
    public_global_upload_limit: str = "12000/hour"
    public_global_status_limit: str = "60000/hour"
    # Public report JSON bodies are small; refused above this before parsing (issue 5).
    public_report_max_bytes: int = Field(default=64 * 1024, ge=1024)
    # Jurisdiction box for public report coordinates, GCJ-02: (south, west, north, east);
    # the default covers 友谊路街道 (宝山区). Env: ZHIBEN_JURISDICTION_BBOX='[31.38,121.46,...]'.
    jurisdiction_bbox: tuple[float, float, float, float] = (31.38, 121.46, 31.43, 121.52)
    # The jurisdiction's name as printed on exported ledgers (页眉 of the 台账 xlsx).
    jurisdiction_name: str = Field(default="宝山区友谊路街道", min_length=1, max_length=60)

    # Every body but a multipart upload is refused above this, before parsing (issue 10).
    json_body_max_bytes: int = Field(default=256 * 1024, ge=1024)

    # Uploads (issue 4/5).
    upload_max_bytes: int = 10 * 1024 * 1024
    public_upload_max_bytes: int = 5 * 1024 * 1024
    upload_max_pixels: int = 40_000_000
    # Anonymous photos decode under a lower cap (a phone photo is 12 MP): decoding costs
    # CPU and memory by the pixel, and anyone may send them (issue 10 finding 13).
    public_upload_max_pixels: int = Field(default=12_000_000, ge=1_000_000)

    # Plan-derived frequencies (plan §三(三)4, §三(六)12); settings so a later rule can change them.
    principal_checks_per_year: int = 4
    principal_checks_per_year_metal_smelting: int = 12
    drills_per_year: int = 1
    drills_per_year_factory_in_factory: int = 2
    # 方案 三(六)12 "“厂中厂”等类型企业至少每半年开展1次": the features that put an enterprise
    # on the half-yearly drill cadence. Env: ZHIBEN_HALF_YEARLY_DRILL_FEATURES='["..."]'.
    half_yearly_drill_features: list[str] = Field(default_factory=lambda: ["factory_in_factory"])
    # 方案 三(六)11 工贸重点行业领域: the principal-training full-coverage target covers the
    # enterprises with one of these features, sectors or tiers (有限空间作业等, 金属冶炼, 粉尘涉爆,
    # 涉氨制冷 as in the national 工贸 治本攻坚 plan's 重点行业领域).
    key_industry_features: list[str] = Field(
        default_factory=lambda: [
            "metal_smelting",
            "dust_explosion",
            "ammonia_refrigeration",
            "confined_space",
            "hazardous_chemicals",
        ]
    )
    key_industry_sectors: list[str] = Field(default_factory=lambda: ["metallurgy", "nonferrous"])
    key_industry_tiers: list[str] = Field(default_factory=list)
    # 双随机 draws (plan §三(七)14): no inspector is paired with an enterprise of a grid they
    # work in (回避), unless this is turned off.
    draw_avoid_own_grid: bool = True
    certificate_warning_days: int = 60

    # Webhooks (API7 SSRF, ASVS 13.2.4/13.2.5): https to public addresses only, except hosts
    # listed here (exact host names or IP literals), which may also use http and private
    # addresses. Env: ZHIBEN_WEBHOOK_ALLOWED_HOSTS='["hooks.internal"]'.
    webhook_allowed_hosts: list[str] = Field(default_factory=list)

    # Background jobs (issue 13): `local` runs them inside `zhiben serve`, `procrastinate`
    # hands them to `zhiben worker` processes, `manual` runs nothing by itself (tests drain).
    # Unset: SQLite → local, PostgreSQL → procrastinate.
    jobs_mode: Literal["local", "procrastinate", "manual"] | None = None
    # Asynchronous exports' files are deleted this many days after they are ready.
    export_expiry_days: int = Field(default=7, ge=1, le=90)
    # Notification channels besides the in-app inbox (e.g. ["log"] in development).
    notification_channels: list[str] = Field(default_factory=list)
    # Reminders go out from this hour of the Asia/Shanghai business day (issue 13).
    reminder_send_hour: int = Field(default=8, ge=0, le=23)
    # Local changes to the official working-day calendar (app/rules/holidays.py) without a
    # code change: a year whose State Council notice is not in the code yet, or a local
    # arrangement. JSON lists of dates, e.g. ZHIBEN_HOLIDAYS_EXTRA='["2027-01-01"]'.
    holidays_extra: list[date] = Field(default_factory=list)
    workdays_extra: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{(self.var_dir / 'zhiben.db').as_posix()}"
        if self.upload_dir is None:
            self.upload_dir = self.var_dir / "uploads"
        if self.env == "production" and (not self.secret_key or len(self.secret_key) < 32):
            raise ValueError(
                "ZHIBEN_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def resolved_jobs_mode(self) -> str:
        if self.jobs_mode:
            return self.jobs_mode
        if self.is_sqlite:
            # An in-memory database lives per connection: no runner could see its jobs.
            memory = self.database_url.rstrip("/").endswith(":") or ":memory:" in self.database_url
            return "manual" if memory else "local"
        return "procrastinate"

    def resolved_secret_key(self) -> str:
        """The signing key; in development one is generated once and kept in var/."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / DEV_SECRET_FILE
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
