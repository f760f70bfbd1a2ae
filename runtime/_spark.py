"""The Spark session the runtime's drift and fairness use for data beyond one machine.

Why a module of its own: a session started for a monitoring job must not open ports to the network,
start a web UI, print progress bars into piped output or read timestamps in whatever zone the machine
happens to be in. This is the one place that sets those, for ``local[N]``, a cluster master
(``spark://``, ``yarn``, ``k8s://``) and Spark Connect (``sc://``) alike. pyspark is optional
(``pip install 'mlkeel[spark]'``) and imported only here, when a session is asked for.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

__all__ = ["DEFAULT_MASTER", "SparkUnavailableError", "is_spark_frame", "spark_session"]

#: Local mode on two cores: what tests and a laptop run; pass a master URL for a cluster.
DEFAULT_MASTER = "local[2]"

#: Settings for every session this module starts (see ../shared/notes/loop-and-scale.md §3).
_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

#: Only for a driver on this machine: listen on loopback, never on every interface.
_LOCAL_CONFIG = {"spark.driver.bindAddress": "127.0.0.1", "spark.driver.host": "127.0.0.1"}


class SparkUnavailableError(RuntimeError):
    """pyspark or the Java runtime it needs is missing; the message says how to install it."""


def is_spark_frame(data: Any) -> bool:
    """Whether ``data`` is a Spark DataFrame (classic or Spark Connect), without importing pyspark."""
    cls = type(data)
    return cls.__name__ == "DataFrame" and cls.__module__.startswith("pyspark.sql")


def spark_session(master: str | None = None, *, driver_memory: str | None = None) -> Any:
    """A SparkSession for ``master`` (default ``local[2]``; ``sc://host:port`` for Spark Connect).

    An active session with the same master is reused (``getOrCreate``), so a job that already has one
    (Databricks, EMR notebooks) keeps its own settings except the ones above.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailableError(
            "the Spark engine needs pyspark: pip install 'mlkeel[spark]' (pyspark 4)"
        ) from None
    url = master or os.environ.get("MLKEEL_SPARK_MASTER") or DEFAULT_MASTER
    if url.startswith("sc://"):
        builder = SparkSession.builder.remote(url)
    else:
        if url.startswith("local") and not (shutil.which("java") or os.environ.get("JAVA_HOME")):
            raise SparkUnavailableError(
                f"Spark in {url} mode needs a Java runtime (17 or 21) and none was found on PATH or in "
                "JAVA_HOME; install one, e.g. apt-get install openjdk-17-jre-headless"
            )
        builder = SparkSession.builder.master(url)
        if url.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # else the JVM looks up a public address
            for key, value in _LOCAL_CONFIG.items():
                builder = builder.config(key, value)
        if driver_memory:
            builder = builder.config("spark.driver.memory", driver_memory)
    builder = builder.appName("mlkeel")
    for key, value in _CONFIG.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if not url.startswith("sc://"):
        session.sparkContext.setLogLevel("ERROR")
    return session
