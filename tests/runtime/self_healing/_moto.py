"""TEST SUPPORT ONLY: moto as a server on 127.0.0.1, with two calls it lacks added in front of it.

moto 5.2.5 does not implement SageMaker ``UpdateEndpoint``, and its training jobs "complete" without
running anything. This WSGI middleware (see ../shared/notes/loop-and-scale.md §1, option (a)) answers
``UpdateEndpoint`` by switching the endpoint to the new config in moto's own backend, and after moto
accepts ``CreateTrainingJob`` it runs the project's example training entry point for real on the job's
input channel and writes ``model.tar.gz`` where SageMaker would. Everything else is moto unchanged. It
reaches into moto internals, so moto is pinned (pyproject ``test`` extra).
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.utils import utcnow
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.sagemaker.models import sagemaker_backends
from werkzeug.serving import make_server

from runtime.self_healing.training import train

REGION = "eu-west-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class MotoWithMissingCalls:
    """WSGI app: moto, plus ``UpdateEndpoint`` and real training for ``CreateTrainingJob``."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.url = ""
        self.trainings: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target == "SageMaker.UpdateEndpoint":
            return self.update_endpoint(environ, start_response)
        if target == "SageMaker.CreateTrainingJob":
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(raw)
            result = list(self.app(environ, start_response))
            body = json.loads(raw)
            self.train(body)
            return result
        return self.app(environ, start_response)

    @staticmethod
    def _backend(environ: dict[str, Any]) -> Any:
        region = re.search(r"Credential=[^/]+/[^/]+/([^/]+)/", environ["HTTP_AUTHORIZATION"]).group(1)  # type: ignore[union-attr]
        return sagemaker_backends[environ.get("HTTP_X_MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)][region]

    def update_endpoint(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        backend = self._backend(environ)
        endpoint = backend.endpoints.get(body["EndpointName"])
        config = backend.endpoint_configs.get(body["EndpointConfigName"])
        headers = [("Content-Type", "application/x-amz-json-1.1")]
        if endpoint is None or config is None:
            start_response("400 Bad Request", [*headers, ("x-amzn-ErrorType", "ValidationException")])
            return [b'{"__type":"ValidationException","message":"Could not find endpoint or config"}']
        endpoint.endpoint_config_name = config.endpoint_config_name
        endpoint.production_variants = endpoint._process_production_variants(config.production_variants)
        endpoint.data_capture_config = config.data_capture_config
        endpoint.last_modified_time = utcnow()
        start_response("200 OK", headers)
        return [json.dumps({"EndpointArn": endpoint.arn}).encode()]

    def train(self, request: dict[str, Any]) -> None:
        """Run the example entry point on the ``train`` channel; upload what SageMaker would."""
        s3 = boto3.client("s3", endpoint_url=self.url, region_name=REGION, **CREDENTIALS)
        uri = request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"]
        bucket, prefix = uri.removeprefix("s3://").split("/", 1)
        hyper = {k: json.loads(v) for k, v in request.get("HyperParameters", {}).items()}
        with tempfile.TemporaryDirectory() as tmp:
            channel, model_dir = Path(tmp, "train"), Path(tmp, "model")
            channel.mkdir()
            listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
            for obj in listing:
                name = obj["Key"].rsplit("/", 1)[-1]
                (channel / name).write_bytes(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
            args = ["--train", str(channel), "--model-dir", str(model_dir)]
            args += ["--label-column", hyper.get("label-column", "label")]
            if train.main(args) != 0:
                return
            out = request["OutputDataConfig"]["S3OutputPath"].removeprefix("s3://")
            out_bucket, out_prefix = out.split("/", 1)
            s3.put_object(
                Bucket=out_bucket,
                Key=f"{out_prefix}{request['TrainingJobName']}/output/model.tar.gz",
                Body=model_archive(model_dir),
            )
        self.trainings.append(request["TrainingJobName"])


def model_archive(model_dir: Path) -> bytes:
    """``model.tar.gz`` of a model folder, as SageMaker packs ``SM_MODEL_DIR``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(model_dir.iterdir()):
            tar.add(path, arcname=path.name)
    return buffer.getvalue()


class MotoServer:
    """moto + :class:`MotoWithMissingCalls` on 127.0.0.1, in this process (it shares moto's backends)."""

    def __init__(self) -> None:
        self.app = MotoWithMissingCalls(DomainDispatcherApplication(create_backend_app))
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=MotoRequestHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app.url = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reset(self) -> None:
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")).read()
        self.app.trainings.clear()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
