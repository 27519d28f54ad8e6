"""deploy/kubernetes/: every manifest is valid against the Kubernetes API schemas (shipped by the
kubernetes-validate package: nothing is downloaded), and the manifests agree with the code: every
setting, the route table's ports, probes, resources, images and the pods' security."""

import functools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from printbridge.config import GatewaySettings
from printbridge.distributed import DistributedSettings
from printbridge.services import SERVICE_NAMES, settings_for
from printbridge.settings_index import every_setting
from printbridge_shared.routes import SERVICES, SERVICES_BY_NAME

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
# The oldest Kubernetes release the manifests are for, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
IMAGE = "printbridge"
SITE = "/srv/printbridge/gateway"
NGINX = "/usr/sbin/nginx"
COMMENTED_SETTING = re.compile(r"^\s*#\s*(PRINTBRIDGE_[A-Z0-9_]+):", re.MULTILINE)


def kustomization() -> dict[str, Any]:
    return yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))


def manifest_files() -> list[Path]:
    return [KUBERNETES / name for name in kustomization()["resources"]]


@functools.cache
def resources() -> list[dict[str, Any]]:
    """Every resource the kustomization applies, parsed once (read-only: tests copy what they change)."""
    return [
        doc
        for path in manifest_files()
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc is not None
    ]


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in resources() if r["kind"] == kind}


def pod_specs() -> dict[str, dict[str, Any]]:
    """Every pod template: the Deployments' and the Job's, by their name."""
    workloads = {**of_kind("Deployment"), **of_kind("Job")}
    return {name: w["spec"]["template"]["spec"] for name, w in workloads.items()}


def containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def configmap() -> dict[str, str]:
    return of_kind("ConfigMap")["printbridge-settings"]["data"]


def secret() -> dict[str, str]:
    return of_kind("Secret")["printbridge-secrets"]["stringData"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: p.name)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(path: Path, version: str) -> None:
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    assert docs, f"{path.name} holds no resource"
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(
                f"{path.name}: {doc['kind']} {doc['metadata']['name']}: {error.message} at {error.path}"
            )


def test_the_validator_refuses_a_field_kubernetes_does_not_have() -> None:
    """Strict validation: a misspelt field fails instead of being dropped by the API server."""
    deployment = of_kind("Deployment")["customers"]
    probe = deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    broken = {**deployment}
    broken["spec"] = {**deployment["spec"], "template": {**deployment["spec"]["template"]}}
    broken["spec"]["template"]["spec"] = {
        **deployment["spec"]["template"]["spec"],
        "containers": [{**deployment["spec"]["template"]["spec"]["containers"][0], "readinesProbe": probe}],
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


def test_there_is_a_deployment_and_a_service_for_each_service_of_the_route_table_and_the_gateway() -> None:
    expected = {*SERVICE_NAMES, "gateway"}
    assert set(of_kind("Deployment")) == set(of_kind("Service")) == expected


def test_every_file_in_the_directory_is_applied_by_the_kustomization() -> None:
    on_disk = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert on_disk == set(kustomization()["resources"])
    assert kustomization()["namespace"] == of_kind("Namespace").popitem()[0] == "printbridge"


def test_every_setting_the_code_reads_is_in_the_configmap_or_the_secret() -> None:
    """Given a value, or commented out where the default is "unset" (an empty value would not be)."""
    texts = [(KUBERNETES / name).read_text(encoding="utf-8") for name in ("configmap.yaml", "secret.yaml")]
    commented = {name for text in texts for name in COMMENTED_SETTING.findall(text)}
    given = set(configmap()) | set(secret())
    missing = every_setting() - given - commented
    assert not missing, f"add these to deploy/kubernetes/configmap.yaml or secret.yaml: {sorted(missing)}"
    unknown = (given | commented) - every_setting()
    assert not unknown, f"no code reads these: {sorted(unknown)}"
    assert not set(configmap()) & set(secret()), "a setting in both: the Secret would win, silently"
    assert not given & commented, "a setting both given and commented out"


@pytest.fixture
def pod_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The process environment of a service pod: the ConfigMap and the Secret, nothing else."""
    for name in list(os.environ):
        if name.startswith("PRINTBRIDGE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env
    environment = {**configmap(), **secret()}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_the_configmap_and_secret_are_valid_settings_of_every_service(
    pod_environment: dict[str, str], service: str
) -> None:
    settings = settings_for(service)
    empty_where_unset = sorted(
        name
        for name, field in type(settings).model_fields.items()
        if field.default is None and getattr(settings, name) == ""
    )
    assert not empty_where_unset, f"an empty value is not unset: comment these out {empty_where_unset}"
    assert settings.database_url == secret()[SERVICES_BY_NAME[service].env_prefix + "DATABASE_URL"]
    assert (
        settings.storefront_auth_url == f"http://storefront-auth:{SERVICES_BY_NAME['storefront-auth'].port}"
    )


def test_the_configmap_and_secret_are_valid_gateway_and_migration_settings(
    pod_environment: dict[str, str],
) -> None:
    assert GatewaySettings().mode == "distributed"
    assert DistributedSettings().postgres_url == secret()["PRINTBRIDGE_POSTGRES_URL"]


def test_every_placeholder_says_change_me_and_every_database_url_names_its_service() -> None:
    for service in SERVICES:
        url = secret()[service.env_prefix + "DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://") and url.endswith(f"/printbridge_{service.package}")
    for name in ("PRINTBRIDGE_POSTGRES_URL", "PRINTBRIDGE_AMQP_URL", "PRINTBRIDGE_SECRET_KEYS"):
        assert "CHANGE_ME" in secret()[name]


def service_container(service: str) -> dict[str, Any]:
    (container,) = of_kind("Deployment")[service]["spec"]["template"]["spec"]["containers"]
    return container


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_each_service_listens_where_the_route_table_and_the_gateway_say(service: Any) -> None:
    container = service_container(service.name)
    assert container["args"] == [
        "printbridge",
        "serve",
        service.name,
        "--host",
        "0.0.0.0",
        "--port",
        str(service.port),
    ]
    assert container["ports"] == [{"name": "http", "containerPort": service.port}]
    (port,) = of_kind("Service")[service.name]["spec"]["ports"]
    assert (port["port"], port["targetPort"]) == (service.port, "http")
    assert configmap()[service.env_prefix + "UPSTREAM"] == f"{service.name}:{service.port}"


def probe_path(container: dict[str, Any], probe: str) -> str:
    assert probe in container, f"{container['name']} has no {probe}"
    assert container[probe]["httpGet"]["port"] == "http"
    return container[probe]["httpGet"]["path"]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_each_service_is_live_on_healthz_and_ready_on_readyz(service: str) -> None:
    container = service_container(service)
    assert probe_path(container, "livenessProbe") == "/healthz"
    assert probe_path(container, "readinessProbe") == "/readyz"
    assert probe_path(container, "startupProbe") == "/healthz", "liveness must not kill a migrating start"


def test_the_gateway_is_live_and_ready_on_its_own_healthz() -> None:
    (nginx,) = of_kind("Deployment")["gateway"]["spec"]["template"]["spec"]["containers"]
    assert probe_path(nginx, "livenessProbe") == probe_path(nginx, "readinessProbe") == "/healthz"


def test_every_long_running_pod_keeps_serving_until_its_endpoints_are_gone() -> None:
    """A rolling update sends no request to a pod that already stopped listening."""
    for name, deployment in of_kind("Deployment").items():
        spec = deployment["spec"]["template"]["spec"]
        for container in spec["containers"]:
            assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep", name
        grace = spec.get("terminationGracePeriodSeconds", 30)
        pause = max(int(c["lifecycle"]["preStop"]["exec"]["command"][1]) for c in spec["containers"])
        assert grace >= pause + 20, f"{name}: time left to finish requests after the pause"


def test_every_container_requests_cpu_and_memory_and_has_a_memory_limit() -> None:
    for pod, spec in pod_specs().items():
        for container in containers(spec):
            resources = container.get("resources", {})
            assert {"cpu", "memory"} <= set(resources.get("requests", {})), f"{pod}/{container['name']}"
            assert "memory" in resources.get("limits", {}), f"{pod}/{container['name']}"


def test_every_pod_runs_as_a_non_root_user_on_a_read_only_root_without_privileges() -> None:
    """What Pod Security `restricted` (enforced on the namespace) asks, and a read-only root."""
    for pod, spec in pod_specs().items():
        assert spec["securityContext"]["runAsNonRoot"] is True, pod
        assert spec["securityContext"]["runAsUser"] != 0, pod
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, pod
        assert spec["automountServiceAccountToken"] is False, pod
        for container in containers(spec):
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, f"{pod}/{container['name']}"
            assert context["allowPrivilegeEscalation"] is False, f"{pod}/{container['name']}"
            assert context["capabilities"]["drop"] == ["ALL"], f"{pod}/{container['name']}"
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            if container["image"] == IMAGE:
                assert "/tmp" in mounts, "Python needs a writable /tmp on a read-only root"


def test_the_printbridge_image_is_one_name_the_kustomization_points_at_the_registry() -> None:
    images = {c["image"] for spec in pod_specs().values() for c in containers(spec)}
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert images == {IMAGE, compose["services"]["gateway"]["image"]}
    assert [image["name"] for image in kustomization()["images"]] == [IMAGE]


def test_every_workload_gets_the_settings_it_reads_from_the_configmap_and_secret() -> None:
    for pod, spec in pod_specs().items():
        for container in containers(spec):
            if container["image"] != IMAGE:
                continue
            sources = {next(iter(s)): s[next(iter(s))]["name"] for s in container["envFrom"]}
            assert sources["configMapRef"] == "printbridge-settings", pod
            if container["name"] != "render":  # the gateway's renderer needs no secret
                assert sources["secretRef"] == "printbridge-secrets", pod


def test_every_selector_finds_its_pods() -> None:
    labels = {name: d["spec"]["template"]["metadata"]["labels"] for name, d in of_kind("Deployment").items()}

    def selected(selector: dict[str, str]) -> set[str]:
        return {name for name, pod in labels.items() if selector.items() <= pod.items()}

    for name, deployment in of_kind("Deployment").items():
        assert selected(deployment["spec"]["selector"]["matchLabels"]) == {name}
    for name, service in of_kind("Service").items():
        assert selected(service["spec"]["selector"]) == {name}
    for name, budget in of_kind("PodDisruptionBudget").items():
        assert selected(budget["spec"]["selector"]["matchLabels"]) == {name}


def test_scaled_deployments_leave_their_replicas_to_the_autoscaler() -> None:
    deployments = of_kind("Deployment")
    for name, autoscaler in of_kind("HorizontalPodAutoscaler").items():
        target = autoscaler["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name)
        assert "replicas" not in deployments[name]["spec"], f"re-applying would reset {name}'s replicas"
        assert autoscaler["spec"]["minReplicas"] >= 2
    assert set(of_kind("PodDisruptionBudget")) == set(of_kind("HorizontalPodAutoscaler"))


def test_mapping_runs_one_pod_on_its_volume_while_design_files_are_local() -> None:
    if configmap()["PRINTBRIDGE_FILES_STORAGE"] != "local":
        pytest.skip("design files in S3: mapping scales like the others (docs/deployment.md)")
    mapping = of_kind("Deployment")["mapping"]["spec"]
    assert (mapping["replicas"], mapping["strategy"]["type"]) == (1, "Recreate")
    volumes = {v["name"]: v for v in mapping["template"]["spec"]["volumes"]}
    claim = volumes["data"]["persistentVolumeClaim"]["claimName"]
    assert claim in of_kind("PersistentVolumeClaim")
    assert "mapping" not in of_kind("HorizontalPodAutoscaler")
    assert configmap()["PRINTBRIDGE_DATA_DIR"] == "/var/lib/printbridge"
    (container,) = mapping["template"]["spec"]["containers"]
    assert {"name": "data", "mountPath": "/var/lib/printbridge"} in container["volumeMounts"]


def test_the_migration_job_creates_the_databases_and_migrates() -> None:
    (container,) = of_kind("Job")["migrate"]["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["sh", "-c", "printbridge create-databases && printbridge migrate"]


def test_the_gateway_renders_its_site_where_nginx_reads_it(tmp_path: Path) -> None:
    """The init container's command, run with the ConfigMap's settings, writes a configuration that
    listens on the container's port and proxies to each service's Service."""
    spec = of_kind("Deployment")["gateway"]["spec"]["template"]["spec"]
    (render,) = spec["initContainers"]
    (nginx,) = spec["containers"]
    assert render["args"][-2:] == ["--site-dir", SITE]
    assert nginx["command"] == ["nginx", "-p", SITE, "-c", f"{SITE}/nginx.conf", "-e", "stderr"]
    for container in (render, nginx):
        assert {"name": "site", "mountPath": SITE} in container["volumeMounts"]

    site = tmp_path / "site"
    environment = {
        "PATH": os.environ["PATH"],
        **{k: v for k, v in configmap().items() if k.startswith("PRINTBRIDGE_")},
    }
    command = [Path(sys.executable).parent / render["args"][0], *render["args"][1:-1], str(site)]
    result = subprocess.run(
        command, env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    conf = (site / "nginx.conf").read_text(encoding="utf-8")
    assert f"listen 0.0.0.0:{nginx['ports'][0]['containerPort']};" in conf
    for service in SERVICES:
        assert f"server {service.name}:{service.port} max_fails=0;" in conf
    assert {"openapi.json", "docs.html", "assets"} <= {p.name for p in site.iterdir()}

    # nginx resolves upstream names while it reads the file, and the Services' names exist only in the
    # cluster: the rest of the configuration is checked with the services on loopback.
    for service in SERVICES:
        conf = conf.replace(f"server {service.name}:{service.port} ", f"server 127.0.0.1:{service.port} ")
    (site / "nginx.conf").write_text(conf, encoding="utf-8")
    check = subprocess.run(
        [NGINX, "-t", "-p", str(site), "-c", str(site / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert check.returncode == 0, check.stderr
