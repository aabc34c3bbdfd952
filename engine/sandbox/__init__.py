"""Sandboxed Python for BPMN scripts, conditions and timers, plus deploy-time checks."""
from engine.sandbox.checks import check_code, find_unsafe_code
from engine.sandbox.environment import RestrictedEnvironment
from engine.sandbox.script_engine import make_script_engine

__all__ = ["RestrictedEnvironment", "check_code", "find_unsafe_code", "make_script_engine"]
