# The mlkeel runtime image: the self-healing controller (runtime/self_healing) and the example training entry
# point, for AWS Lambda (the default command), a Kubernetes CronJob and SageMaker training.
#
#   docker build -t <stack repository url>:self-healing-0.1.0 .   # the tag the stack's function runs
#   docker push <stack repository url>:self-healing-0.1.0          # before `pulumi up` enables selfHealing
#
# Small: only mlkeel/ and runtime/ are copied (no Pulumi, no stacks/components/policies), and the packages
# are installed from a complete lock with --no-deps, so nothing unpinned gets in. Non-root: uid 65532, with
# a read-only root filesystem in every runner (the controller writes to /tmp only).
# Base pinned to a patch release; pin it by digest in your registry mirror (docs/self-healing.md).
FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY runtime/self_healing/requirements-image.txt /tmp/requirements-image.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-deps -r /tmp/requirements-image.txt \
    && /opt/venv/bin/pip check

FROM python:3.11.11-slim-bookworm
LABEL org.opencontainers.image.title="mlkeel-runtime" \
      org.opencontainers.image.description="mlkeel self-healing controller and example training entry point" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    HOME=/tmp
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY mlkeel/ /app/mlkeel/
COPY runtime/ /app/runtime/
RUN useradd --uid 65532 --user-group --no-create-home --home-dir /tmp --shell /usr/sbin/nologin mlkeel \
    && python -m compileall -q /app
USER 65532:65532
# Lambda: the runtime interface client runs the handler named by CMD (the function's image_config repeats
# it). Kubernetes and `docker run` override the command: python -m runtime.self_healing
ENTRYPOINT ["/opt/venv/bin/python", "-m", "awslambdaric"]
CMD ["runtime.self_healing.handler.handle"]
