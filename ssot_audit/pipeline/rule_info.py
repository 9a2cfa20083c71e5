"""RuleInfo records: what the renderers may know about the rules of a run, so that they
need neither the registry nor the rule classes."""

from __future__ import annotations

from collections.abc import Mapping

from ssot_audit.analysis.plugins import Registry, Rule, documentation
from ssot_audit.config import Config
from ssot_audit.model import RuleInfo

FIX_COMMAND = "ssot-audit fix"


def is_configured(rule: type[Rule[object]], options: object) -> bool:
    """A rule that needs to be told what to look for says whether it was (classmethod
    `is_configured(options)`); every other rule is configured by default."""
    check = getattr(rule, "is_configured", None)
    return bool(check(options)) if callable(check) else True


def describe(registry: Registry, config: Config, checked: Mapping[str, int]) -> list[RuleInfo]:
    """Every registered rule, enabled or not, in code order."""
    infos = []
    for rule in registry.sorted():
        enabled = rule.code in config.enabled
        options = config.rule_options.get(rule.code, rule.default_options())
        infos.append(
            RuleInfo(
                code=rule.code,
                name=rule.name,
                category=rule.category.id,
                severity=rule.severity,
                summary=rule.summary,
                help=documentation(rule),
                unit=rule.unit or rule.category.unit,
                enabled=enabled,
                configured=is_configured(rule, options),
                checked=checked.get(rule.code, 0) if enabled else 0,
                fixable=rule.fixable,
                fix_command=FIX_COMMAND if rule.fixable else None,
            )
        )
    return infos
