"""The follow-up policy in force: the newest saved version, or the defaults of docs/policy.md."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from sqlalchemy import select

from ..extensions import db
from ..followup import Policy
from ..models import PolicyVersion


@dataclass(frozen=True)
class PolicyInForce:
    version_id: int | None  # None: no version saved yet, docs/policy.md's defaults
    policy: Policy


def policy_in_force() -> PolicyInForce:
    """The newest saved policy version, or the defaults of docs/policy.md (read once per request)."""
    if "policy_in_force" not in g:
        version = db.session.scalar(
            select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1)
        )
        g.policy_in_force = (
            PolicyInForce(version.id, version.as_policy())
            if version
            else PolicyInForce(None, Policy())
        )
    return g.policy_in_force


def current_policy() -> Policy:
    return policy_in_force().policy


def policy_of(version_id: int | None) -> Policy:
    """The policy a step was settled under (versions are few: kept for the request)."""
    cache = g.setdefault("policy_versions", {})
    if version_id not in cache:
        cache[version_id] = (
            db.session.get_one(PolicyVersion, version_id).as_policy() if version_id else Policy()
        )
    return cache[version_id]
