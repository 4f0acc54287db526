"""The deployment files say only what the service understands.

Every `treatycal` command they run exists with the options given, every TREATYCAL_* variable is
a setting, probes and scrapes point at paths the processes serve, migrations run once in a
one-shot job, secrets come from a Secret or the environment, and the dashboard queries only
metrics the service exposes.
"""

from __future__ import annotations

import json
import re
import shlex
import typing
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.core import TyperGroup, TyperOption

from service.api import create_app
from service.api.worker import create_worker_app
from service.cli import app as cli_app
from service.settings import Settings

DEPLOY = Path(__file__).parents[2] / "deploy"
K8S_FILES = sorted((DEPLOY / "k8s").glob("*.yaml"))
COMPOSE = DEPLOY / "compose.yaml"
DASHBOARD = DEPLOY / "grafana-dashboard.json"
OTHER_FILES = (DEPLOY / "Dockerfile", DEPLOY / "treatycal.service")

# What the API and the worker expose on /metrics (a histogram as its _bucket, _sum and _count).
# test_metrics checks that the app really exposes each of them, so the dashboard, checked
# against this list here, shows real series.
EXPOSED_METRICS = (
    "treatycal_http_requests_total",
    "treatycal_http_request_seconds",
    "treatycal_feed_renders_total",
    "treatycal_feed_events_rendered_total",
    "treatycal_feed_cache_hits_total",
    "treatycal_alerts_pending",
    "treatycal_alerts_overdue",
    "treatycal_deliveries_pending",
    "treatycal_delivery_oldest_pending_age_seconds",
    "treatycal_deliveries_total",
    "treatycal_alert_lateness_seconds",
    "treatycal_worker_claims_total",
    "treatycal_worker_claimed_deliveries_total",
)
HISTOGRAMS = frozenset({"treatycal_http_request_seconds", "treatycal_alert_lateness_seconds"})
METRIC_LABELS = {
    "treatycal_http_requests_total": {"method", "route", "status"},
    "treatycal_http_request_seconds": {"route"},
    "treatycal_deliveries_total": {"outcome"},  # delivered, retrying, failed
    "treatycal_worker_claims_total": {"worker"},
    "treatycal_worker_claimed_deliveries_total": {"worker"},
}
ONE_SHOT = frozenset({"migrate", "load"})  # each migrates; load also writes the feed files
SETTINGS = frozenset(f"TREATYCAL_{name.upper()}" for name in Settings.model_fields)
SECRETS = frozenset(
    {"TREATYCAL_DATABASE_URL"}
    | {
        f"TREATYCAL_{name.upper()}"
        for name, field in Settings.model_fields.items()
        if field.annotation is SecretStr or SecretStr in typing.get_args(field.annotation)
    }
)
Doc = dict[str, Any]


def k8s_documents() -> list[Doc]:
    return [
        doc
        for path in K8S_FILES
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc
    ]


def compose_services() -> dict[str, Doc]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"])


def of_kind(kind: str) -> list[Doc]:
    return [doc for doc in k8s_documents() if doc["kind"] == kind]


def pod_containers(workload: Doc) -> list[Doc]:
    """Init containers first, in the order they run, then the others."""
    spec = workload["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def argv(container: Doc) -> list[str]:
    return [str(word) for word in (*container.get("command", ()), *container.get("args", ()))]


def subcommand(words: list[str]) -> str | None:
    is_ours = bool(words) and Path(words[0]).name == "treatycal" and len(words) > 1
    return words[1] if is_ours else None


def option(words: list[str], name: str) -> str | None:
    for at, word in enumerate(words):
        if word == name and at + 1 < len(words):
            return words[at + 1]
        if word.startswith(f"{name}="):
            return word.split("=", 1)[1]
    return None


def environment(container: Doc) -> dict[str, Doc]:
    """Each variable a container gets, from a ConfigMap in these files or its own env."""
    maps = {doc["metadata"]["name"]: doc.get("data", {}) for doc in of_kind("ConfigMap")}
    found: dict[str, Doc] = {}
    for source in container.get("envFrom", ()):
        for name, value in maps[source["configMapRef"]["name"]].items():
            found[name] = {"name": name, "value": value}
    found.update({entry["name"]: entry for entry in container.get("env", ())})
    return found


def workloads() -> Iterator[tuple[str, Doc]]:
    for doc in k8s_documents():
        if doc["kind"] in {"Deployment", "Job"}:
            yield f"{doc['kind']} {doc['metadata']['name']}", doc


def ours(container: Doc) -> bool:
    return str(container["image"]).split("/")[-1].startswith("treatycal")


def deployment_running(command: str) -> tuple[Doc, Doc]:
    for doc in of_kind("Deployment"):
        for container in pod_containers(doc):
            if subcommand(argv(container)) == command:
                return doc, container
    raise AssertionError(f"no Deployment runs `treatycal {command}`")


def invocations() -> Iterator[tuple[str, list[str]]]:
    """(where, argv) for every `treatycal ...` the deployment files run."""
    for where, workload in workloads():
        for container in pod_containers(workload):
            yield f"k8s {where} {container['name']}", argv(container)
    for name, service in compose_services().items():
        if "build" in service:
            yield f"compose {name}", [str(word) for word in service.get("command", ())]
    unit = (DEPLOY / "treatycal.service").read_text(encoding="utf-8")
    for line in re.findall(r"^ExecStart=(.+)$", unit, re.MULTILINE):
        yield "systemd ExecStart", shlex.split(line)


def cli_problems(words: list[str]) -> list[str]:
    """What is wrong with a command line, by the CLI's own commands and options."""
    command = typer.main.get_command(cli_app)
    rest = words[1:]
    while isinstance(command, TyperGroup):
        if not rest or rest[0] not in command.commands:
            return [f"{' '.join(words)}: no such command (have {sorted(command.commands)})"]
        command, rest = command.commands[rest[0]], rest[1:]
    known = {
        name
        for param in command.params
        if isinstance(param, TyperOption)
        for name in (*param.opts, *param.secondary_opts)
    }
    problems = [
        f"{' '.join(words)}: {command.name} has no option {word.split('=', 1)[0]}"
        for word in rest
        if word.startswith("-") and word.split("=", 1)[0] not in known
    ]
    if not problems:
        try:
            command.make_context(command.name, list(rest)).close()
        except typer.TyperException as exc:
            problems.append(f"{' '.join(words)}: {exc.format_message()}")
    return problems


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """The API (`serve`) and the worker's probe app (`worker --port`), to ask the paths the
    manifests name, over a throwaway database."""
    database = tmp_path_factory.mktemp("deploy") / "probes.db"
    settings = Settings(database_url=f"sqlite:///{database}", load_feeds_on_start=False)
    with ExitStack() as stack:
        yield {
            "serve": stack.enter_context(TestClient(create_app(settings))),
            "worker": stack.enter_context(TestClient(create_worker_app(settings))),
        }


def test_manifests_parse_and_run_treatycal_explicitly() -> None:
    assert len(K8S_FILES) >= 3
    for where, workload in workloads():
        for container in filter(ours, pod_containers(workload)):
            assert subcommand(argv(container)), f"{where}: say which treatycal command to run"
    for name, service in compose_services().items():
        if "build" in service:
            assert subcommand([str(w) for w in service.get("command", ())]), f"compose {name}"


@pytest.mark.parametrize(
    ("where", "words"), [pytest.param(where, words, id=where) for where, words in invocations()]
)
def test_every_command_and_option_exists(where: str, words: list[str]) -> None:
    assert subcommand(words), f"{where}: {words} does not run treatycal"
    assert cli_problems(words) == [], where


def test_a_bogus_option_is_caught() -> None:
    assert cli_problems(["treatycal", "serve", "--no-engine"]) == []
    assert cli_problems(["treatycal", "serve", "--bogus"]) != []
    assert cli_problems(["treatycal", "serve", "--port", "eighty"]) != []
    assert cli_problems(["treatycal", "migrat"]) != []
    assert cli_problems(["treatycal", "keys", "list"]) == []


def test_every_variable_set_is_a_setting() -> None:
    named: list[tuple[str, str]] = []
    for where, workload in workloads():
        for container in pod_containers(workload):
            named += [(f"k8s {where}", name) for name in environment(container)]
    for doc in of_kind("ConfigMap"):
        named += [(f"ConfigMap {doc['metadata']['name']}", name) for name in doc.get("data", {})]
    for name, service in compose_services().items():
        named += [(f"compose {name}", var) for var in service.get("environment", {})]
    for path in OTHER_FILES:
        text = path.read_text(encoding="utf-8")
        named += [(path.name, var) for var in re.findall(r"\b(TREATYCAL_[A-Z0-9_]+)=", text)]
    ours_named = [(where, name) for where, name in named if name.startswith("TREATYCAL_")]
    assert ours_named
    assert [(where, name) for where, name in ours_named if name not in SETTINGS] == []


def test_k8s_api_and_worker_probe_and_expose_what_they_serve(
    served: dict[str, TestClient],
) -> None:
    for command, client in served.items():
        deployment, container = deployment_running(command)
        port = listening_port(container)
        assert port is not None, f"{command} serves no HTTP: give it --port"
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true", command
        assert annotations["prometheus.io/port"] == str(port), command
        paths = [annotations["prometheus.io/path"]]
        for probe in ("readinessProbe", "livenessProbe"):
            assert probe in container, f"{command}: no {probe}"
            assert container[probe]["httpGet"]["port"] == port, f"{command} {probe}"
            paths.append(container[probe]["httpGet"]["path"])
        assert paths[1:] == ["/readyz", "/healthz"], command
        for path in paths:
            assert client.get(path).status_code == 200, f"{command} {path}"


def listening_port(container: Doc) -> int | None:
    """The port a container's process listens on: --port, else its setting, else the default."""
    setting = {"serve": "port", "worker": "worker_port"}[str(subcommand(argv(container)))]
    default = Settings.model_fields[setting].default
    configured = environment(container).get(f"TREATYCAL_{setting.upper()}", {}).get("value")
    given = option(argv(container), "--port") or configured or default
    return None if given is None else int(given)


def test_serving_pods_know_their_public_url() -> None:
    _, container = deployment_running("serve")
    assert environment(container)["TREATYCAL_PUBLIC_URL"]["value"].startswith("https://")
    for name, service in compose_services().items():
        if subcommand([str(word) for word in service.get("command", ())]) == "serve":
            assert service["environment"]["TREATYCAL_PUBLIC_URL"], f"compose {name}"


def test_a_disruption_budget_keeps_an_api_pod() -> None:
    deployment, _ = deployment_running("serve")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    budgets = [
        doc
        for doc in of_kind("PodDisruptionBudget")
        if doc["spec"]["selector"]["matchLabels"].items() <= labels.items()
    ]
    assert budgets, "no PodDisruptionBudget selects the API pods"
    assert budgets[0]["spec"]["minAvailable"] >= 1
    assert deployment["spec"]["replicas"] > budgets[0]["spec"]["minAvailable"], "drains block"


def test_k8s_migrates_in_a_job_and_never_in_a_deployment() -> None:
    jobs = [
        [subcommand(argv(container)) for container in pod_containers(job)] for job in of_kind("Job")
    ]
    steps = next((job for job in jobs if "migrate" in job), None)
    assert steps, "no Job runs `treatycal migrate`"
    if "load" in steps:
        assert steps.index("migrate") < steps.index("load")
    for deployment in of_kind("Deployment"):
        for container in pod_containers(deployment):
            words = argv(container)
            assert subcommand(words) not in ONE_SHOT, deployment["metadata"]["name"]
            if subcommand(words) == "serve" and "load" in steps:
                assert "--no-load" in words, "the Job loads the feeds; replicas must not"


def test_compose_starts_api_and_worker_after_the_one_shots() -> None:
    services = compose_services()
    runs = {
        name: subcommand([str(w) for w in s.get("command", ())]) for name, s in services.items()
    }
    one_shots = {runs[name]: name for name in services if runs[name] in ONE_SHOT}
    assert "migrate" in one_shots, "no compose service runs `treatycal migrate`"
    for name in one_shots.values():
        assert services[name]["restart"] == "no", f"{name} would run again and again"
    for name in (name for name in services if runs[name] in {"serve", "worker"}):
        words = [str(word) for word in services[name]["command"]]
        needs = {one_shots["migrate"]}
        if "--no-load" in words:
            needs.add(one_shots.get("load", "a service that runs `treatycal load`"))
        depends = services[name].get("depends_on", {})
        for need in needs:
            condition = depends.get(need, {}).get("condition")
            assert condition == "service_completed_successfully", f"{name} starts before {need}"


def test_secrets_come_from_a_secret_or_the_environment() -> None:
    for where, workload in workloads():
        for container in filter(ours, pod_containers(workload)):
            env = environment(container)
            assert "TREATYCAL_DATABASE_URL" in env, f"{where} would open a SQLite file"
            for name in SECRETS & env.keys():
                assert "secretKeyRef" in env[name].get("valueFrom", {}), f"{where} {name}"
    for doc in of_kind("ConfigMap"):
        assert not SECRETS & doc.get("data", {}).keys()
    for name, service in compose_services().items():
        env = service.get("environment", {})
        assert "build" not in service or "TREATYCAL_DATABASE_URL" in env, f"compose {name}"
        for var, value in env.items():
            if var in SECRETS or "PASSWORD" in var:
                assert "${" in str(value), f"compose {name} {var} is written in the file"


def test_pods_run_locked_down_with_resources() -> None:
    for where, workload in workloads():
        assert workload["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
        for container in pod_containers(workload):
            locked = container["securityContext"]
            assert locked["allowPrivilegeEscalation"] is False, where
            assert locked["readOnlyRootFilesystem"] is True, where
            assert "ALL" in locked["capabilities"]["drop"], where
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= container["resources"][bound].keys(), where
    for name, service in compose_services().items():
        if "build" in service:
            assert service["read_only"] is True, name
            assert "ALL" in service["cap_drop"], name


def test_the_dashboard_queries_only_exposed_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["schemaVersion"] >= 36
    assert [given["name"] for given in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    series = set(EXPOSED_METRICS) | {
        f"{name}{suffix}" for name in HISTOGRAMS for suffix in ("_bucket", "_sum", "_count")
    }
    panels = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
    queried: set[str] = set()
    for panel in panels:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
        for target in panel["targets"]:
            names = set(re.findall(r"\btreatycal_[a-z0-9_]+", target["expr"]))
            assert names, panel["title"]
            assert names <= series, f"{panel['title']}: {sorted(names - series)}"
            labels = set().union(*(METRIC_LABELS.get(_base(name), set()) for name in names))
            for grouped in re.findall(r"\bby \(([^)]*)\)", target["expr"]):
                used = {label.strip() for label in grouped.split(",")}
                assert used <= labels | {"le"}, f"{panel['title']}: {used - labels}"
            queried |= {_base(name) for name in names}
    assert queried == set(EXPOSED_METRICS), "a metric the service exposes is on no panel"


def _base(series: str) -> str:
    """The metric a series belongs to: a histogram's _bucket, _sum and _count are its own."""
    return series if series in EXPOSED_METRICS else re.sub(r"_(bucket|sum|count)$", "", series)
