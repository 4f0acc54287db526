"""The alert engine: planning, firing, signed delivery, the target guard and the wake-ups."""

from service.alerts.engine import Engine, EngineSettings
from service.alerts.guard import Target, check_url
from service.alerts.planner import CreatedPlans, Planner, PlanningRules

__all__ = [
    "CreatedPlans",
    "Engine",
    "EngineSettings",
    "Planner",
    "PlanningRules",
    "Target",
    "check_url",
]
