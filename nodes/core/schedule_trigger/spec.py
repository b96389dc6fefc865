"""Schedule Trigger: starts the workflow at intervals or on a cron schedule."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from engine.sdk import Field, NodeSpec, Params, load_docs, ui
from nodes.core.schedule_trigger.schedule import WEEKDAYS, cron_error, resolve_timezone

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _mondays() -> list[Weekday]:
    return ["monday"]


MAX_EVERY = {"seconds": 86_400, "minutes": 10_080, "hours": 8_784, "days": 3_660,
             "weeks": 520, "months": 120, "cron": 1}


class ScheduleRule(Params):
    """One rule; the trigger fires whenever any of its rules does."""

    interval: Literal["seconds", "minutes", "hours", "days", "weeks", "months", "cron"] = Field(
        "days", description="The unit of the interval, or 'cron' for a cron expression.",
        json_schema_extra=ui(expression=False))
    every: int = Field(1, ge=1, description="Fire every N units (e.g. every 15 minutes).",
                       json_schema_extra=ui(expression=False))
    at_hour: int = Field(0, ge=0, le=23, description="days/weeks/months: hour of the day "
                         "(0-23, local time).", json_schema_extra=ui(expression=False))
    at_minute: int = Field(0, ge=0, le=59, description="hours/days/weeks/months: minute of "
                           "the hour (0-59).", json_schema_extra=ui(expression=False))
    at_weekdays: list[Weekday] = Field(
        default_factory=_mondays, description="weeks: the days of the week to fire "
        "on.", json_schema_extra=ui(expression=False))
    at_day_of_month: int = Field(1, ge=1, le=31, description="months: day of the month (1-31; "
                                 "beyond the month's end means its last day).",
                                 json_schema_extra=ui(expression=False))
    cron_expression: str = Field(
        "", description="cron: 5 fields 'minute hour day month weekday' (e.g. '0 9 * * 1-5'), "
        "or 6 with seconds first, or @hourly/@daily/@weekly/@monthly.",
        json_schema_extra=ui(expression=False))

    @field_validator("at_weekdays", mode="before")
    @classmethod
    def _weekdays(cls, v: object) -> object:
        """Accepts names in any case, 3-letter names, and cron numbers (0 or 7 = Sunday)."""
        if isinstance(v, str):
            v = [s for s in v.replace(" ", ",").split(",") if s]
        if isinstance(v, list):
            out = []
            for d in v:
                if isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 7:
                    out.append(WEEKDAYS[(d - 1) % 7])
                elif isinstance(d, str):
                    low = d.strip().lower()
                    full = [w for w in WEEKDAYS if w.startswith(low[:3])] if len(low) >= 3 else []
                    out.append(full[0] if full else low)
                else:
                    out.append(d)
            return out
        return v

    @model_validator(mode="after")
    def _check(self) -> ScheduleRule:
        if self.interval == "cron":
            err = cron_error(self.cron_expression)
            if err:
                raise ValueError(err[0].upper() + err[1:])
            self.cron_expression = " ".join(self.cron_expression.split())
        elif self.every > MAX_EVERY[self.interval]:
            raise ValueError(f"every {self.every} {self.interval} is too long; the limit is "
                             f"{MAX_EVERY[self.interval]:,} {self.interval}.")
        if self.interval == "weeks" and not self.at_weekdays:
            raise ValueError("A weekly rule needs at least one weekday in at_weekdays.")
        return self


class ScheduleParams(Params):
    rules: list[ScheduleRule] = Field(
        default_factory=lambda: [ScheduleRule()], min_length=1,
        description="When to fire: each rule is an interval (every N seconds ... months, at a "
        "time) or a cron expression; the trigger fires whenever any rule does.",
        json_schema_extra=ui("collection", expression=False))
    timezone: str = Field(
        "", description="IANA timezone of the times, e.g. 'Europe/Paris'; empty uses the "
        "workflow's timezone.", json_schema_extra=ui(expression=False))

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        v = v.strip()
        if v:
            resolve_timezone(v)  # raises ValueError with a helpful message
        return v


SPEC = NodeSpec(
    type="core.schedule_trigger",
    version=1,
    title="Schedule Trigger",
    description="Start the workflow at regular intervals or on a cron schedule.",
    category="Trigger",
    icon="clock",
    params=ScheduleParams,
    run="nodes.core.schedule_trigger.run:execute",
    inputs=(),
    trigger="schedule",
    hooks={"fire_times": "nodes.core.schedule_trigger.schedule:next_fire_times"},
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.scheduleTrigger", "n8n-nodes-base.cron"),
)
