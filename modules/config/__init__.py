"""The environment config: parsed and validated once into frozen pydantic models."""

from modules.config.environment import Environment, config_path, load_environment, parse_environment
from modules.config.errors import ConfigError
from modules.config.pools import GpuPool, TpuPool

__all__ = [
    "ConfigError",
    "Environment",
    "GpuPool",
    "TpuPool",
    "config_path",
    "load_environment",
    "parse_environment",
]
