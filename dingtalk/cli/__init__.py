"""Command line: ``dingtalk`` (or ``python -m dingtalk``).

* ``dingtalk sandbox [--host H] [--port P] [--state FILE]`` serves a local sandbox DingTalk
  until Ctrl-C (or SIGTERM); with ``--state`` it loads FILE when it exists and saves on stop.
* ``dingtalk call NAME [key=value | key:=json ...]`` calls one method by its DingTalk name
  (``app.run(NAME, ...)``) or by its Python name, and prints the result as JSON. ``--all``
  walks a paged API to the end, with progress on stderr.
* ``dingtalk methods [FILTER] [--json]`` lists the DingTalk names and their Python methods.
* ``dingtalk demo`` runs the quick start against an in-process sandbox, callbacks included.

Credentials for ``call`` come from ``--sandbox URL``, else from ``DINGTALK_*`` environment
variables over a JSON config file (``--config FILE``, ``$DINGTALK_CONFIG``, or
``~/.config/dingtalk/config.json`` when it exists). See ``docs/cli.md``.

Every failure is reported as one line, ``dingtalk: error: ...``, on stderr with a non-zero
exit status (2 for bad usage, 1 otherwise); never a traceback, never a secret.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Callable, List, Optional

from ..errors import DingTalkError
from ._output import PROG, CLIError, _error_line, _Parser
from ._call import call, methods
from ._serve import sandbox
from ._demo import demo

# -- parser --------------------------------------------------------------------------------------
_CALL_EPILOG = """\
values:
  key=value        a string (made an int/float/bool/datetime when the Python parameter says so)
  key:=json        a JSON value: department:=[1]  size:=20  fetch_child:=true  extattr:='{"a":1}'
  DingTalk's spelling of a parameter works too: userid=... for user_id, deptId=... for dept_id

credentials (first match wins):
  --sandbox URL    the sandbox's own credentials (environment and config file are ignored)
  environment      DINGTALK_APP_KEY + DINGTALK_APP_SECRET, or DINGTALK_CORP_ID + DINGTALK_CORP_SECRET;
                   DINGTALK_AGENT_ID, DINGTALK_NAME, DINGTALK_OAPI_URL / _TOP_URL / _API_URL,
                   DINGTALK_REDIS_URL, DINGTALK_TIMEOUT (each one overrides the config file)
  config file      --config FILE, $DINGTALK_CONFIG, or ~/.config/dingtalk/config.json (JSON)

examples:
  dingtalk call --sandbox http://127.0.0.1:8765 dingtalk.oapi.user.get userid=user0002
  dingtalk call dingtalk.oapi.user.create name=张三 mobile=13800000000 department:=[1]
  dingtalk call dingtalk.oapi.user.listbypage department_id=1 --all
  dingtalk call get_bpms_instance_list process_code=PROC-XXX start_time=2024-06-01
"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="dingtalk-python command line: a local sandbox DingTalk, "
                                            "any API call by name, the method list, a demo.",
                     epilog="'dingtalk COMMAND --help' for each command; docs/cli.md for the config file.\n"
                            "examples:\n"
                            "  dingtalk sandbox --state sandbox.json\n"
                            "  dingtalk call --sandbox http://127.0.0.1:8765 dingtalk.oapi.user.get userid=user0002\n"
                            "  dingtalk methods user --json",
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true",
                        help="show the SDK's log lines (retries, token refreshes) on stderr")

    p = sub.add_parser("sandbox", parents=[common], help="serve a local sandbox DingTalk until Ctrl-C",
                       description="Serve a local, stateful fake DingTalk (oapi, topapi, TOP gateway, v1.0) "
                                   "until Ctrl-C or SIGTERM.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0: a free one)")
    p.add_argument("--state", metavar="FILE",
                   help="load the sandbox's state from FILE if it exists; save it there on stop")
    p.set_defaults(func=sandbox)

    p = sub.add_parser("call", parents=[common], help="call one API method by DingTalk name (or Python name)",
                       description="Call a registered method by its DingTalk name (app.run(NAME, ...)) or by\n"
                                   "its Python name, and print the result as pretty JSON on stdout.",
                       epilog=_CALL_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", metavar="NAME", help="e.g. dingtalk.oapi.user.get, or get_user, iter_dept_user_details")
    p.add_argument("params", metavar="key=value|key:=json", nargs="*", help="the method's parameters")
    p.add_argument("--all", action="store_true",
                   help="walk a paged API to the end (its iter_... generator); progress on stderr")
    p.add_argument("--sandbox", metavar="URL", help="call a sandbox started with 'dingtalk sandbox'")
    p.add_argument("--config", metavar="FILE", help="JSON config file (default: ~/.config/dingtalk/config.json)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="HTTP timeout per request (default: 10)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=call)

    p = sub.add_parser("methods", parents=[common], help="list the DingTalk method names and their Python methods",
                       description="List every registered DingTalk method name with its Python method and "
                                   "the first line of its docstring. '(--all)' marks the paged ones.")
    p.add_argument("filter", metavar="FILTER", nargs="?",
                   help="only names, Python names or descriptions containing this (case-insensitive)")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    p.set_defaults(func=methods)

    p = sub.add_parser("demo", parents=[common], help="run the quick start against an in-process sandbox",
                       description="Start a sandbox in this process and run the original README's quick start "
                                   "against it, callbacks included, printing what each step returned.")
    p.add_argument("--port", type=int, default=0, help="sandbox port (default: a free one)")
    p.set_defaults(func=demo)
    return parser


def _logging(verbose: bool) -> Callable[[], None]:
    """The SDK's log lines (retries, ...) on stderr only with ``-v``; returns the undo."""
    logger = logging.getLogger("dingtalk")
    if verbose:
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(message)s"))
        previous = logger.level
        logger.setLevel(logging.INFO)
    else:  # a handler in the hierarchy keeps logging's last-resort stderr output away
        handler, previous = logging.NullHandler(), logger.level
    logger.addHandler(handler)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous)

    return undo


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``dingtalk`` and ``python -m dingtalk``; returns the exit status."""
    parser = build_parser()
    undo_logging: Callable[[], None] = lambda: None
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            # `call NAME a=1 --all b=2`: parameters may come after options too
            if getattr(args, "command", None) == "call" and not any(e.startswith("-") for e in extras):
                args.params = list(args.params) + extras
            else:
                parser.error(f"unrecognized arguments: {' '.join(extras)}")
        undo_logging = _logging(bool(getattr(args, "verbose", False)))
        func: Optional[Callable[[argparse.Namespace], int]] = getattr(args, "func", None)
        if func is None:
            parser.print_help()
            return 2
        return func(args)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except CLIError as exc:
        _error_line(str(exc))
        return exc.code
    except DingTalkError as exc:
        _error_line(f"{type(exc).__name__}: {exc}")
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `dingtalk methods | head`
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except OSError as exc:
        _error_line(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
        return 1
    except Exception as exc:  # never a traceback; the class says what went wrong
        _error_line(f"{type(exc).__name__}: {exc}")
        return 1
    finally:
        undo_logging()
