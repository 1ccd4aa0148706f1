"""The connection of a command-line run: --base-url / --env / --env-type or their environment
variables, and the token from AFAS_TOKEN only (never an argument: it would land in shell history
and process lists)."""

from __future__ import annotations

import argparse
import os
import sys

from afas.errors import InputError
from afas.i18n import accept_language, tr
from afas.profit.client import ProfitClient
from afas.profit.environment import Environment
from afas.profit.token import ProfitToken

__all__ = ["add_connection_args", "client_from_env"]


def add_connection_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url", default=None, help=tr("explicit base URL (or AFAS_BASE_URL; e.g. the emulator's)")
    )
    parser.add_argument(
        "--env", default=None, help=tr("environment number, e.g. 36480 (or AFAS_ENVIRONMENT)")
    )
    parser.add_argument(
        "--env-type", default=None, help=tr("production, test or accept (or AFAS_ENVIRONMENT_TYPE)")
    )


def client_from_env(args: argparse.Namespace) -> ProfitClient:
    """A ProfitClient for the run; an InputError (no token, token or environment unreadable) says what
    to fix, without repeating what was given."""
    token_text = os.environ.get("AFAS_TOKEN", "")
    if not token_text:
        raise InputError(
            tr(
                "AFAS_TOKEN is not set: put the App connector token in the AFAS_TOKEN environment "
                "variable (it is never taken from the command line)."
            )
        )
    token = ProfitToken.parse(token_text)
    base_url = getattr(args, "base_url", None) or os.environ.get("AFAS_BASE_URL")
    if base_url:
        env = Environment.from_base_url(base_url)
    else:
        number = getattr(args, "env", None) or os.environ.get("AFAS_ENVIRONMENT", "")
        env_type = getattr(args, "env_type", None) or os.environ.get("AFAS_ENVIRONMENT_TYPE", "production")
        env = Environment.from_input(number, env_type)
        if env.notice:
            print(env.notice, file=sys.stderr)
    return ProfitClient(env, token, language=accept_language())  # AFAS's messages in the CLI's language
