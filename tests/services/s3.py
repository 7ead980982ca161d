"""The S3-compatible server the storage tests run against: moto's standalone server, started by .ci/run as
its own process (`moto_server -H 127.0.0.1 -p PORT`) and named by TEST_S3_ENDPOINT_URL. Never in-process
mocking: every request below crosses a socket, as it would to MinIO or AWS."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from tests.conftest import require_or_skip

ACCESS_KEY = "kei-test-access-key"
SECRET_KEY = "kei-test-secret-key"
REGION = "us-east-1"


def endpoint() -> str:
    """TEST_S3_ENDPOINT_URL, reachable; skips without it (fails under CI=true)."""
    url = os.environ.get("TEST_S3_ENDPOINT_URL", "").rstrip("/")
    reason = (
        "S3 storage tests need an S3-compatible server: start `.venv/bin/moto_server -H 127.0.0.1 -p 5055` "
        "and set TEST_S3_ENDPOINT_URL=http://127.0.0.1:5055 (.ci/run does)"
    )
    require_or_skip(bool(url), reason)
    status, _, _ = http_get(url + "/")
    require_or_skip(status > 0, f"{reason}; nothing answers at {url}")
    return url


def http_get(url: str, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body) of a plain GET, like a browser's (no credentials);
    status 0 if nothing answers."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()
    except (urllib.error.URLError, OSError):
        return 0, {}, b""


def client(url: str) -> Any:
    import boto3

    return boto3.client(
        "s3", endpoint_url=url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION
    )


@dataclass
class Buckets:
    endpoint: str
    public: str
    private: str

    def config(self) -> dict[str, Any]:
        """media_storages(...) keywords for MEDIA_STORAGE=s3 on these buckets."""
        return {
            "backend": "s3",
            "endpoint_url": self.endpoint,
            "public_bucket": self.public,
            "private_bucket": self.private,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "region": REGION,
        }

    def env(self) -> dict[str, str]:
        """The same, as the environment variables a web or worker node reads."""
        return {
            "MEDIA_STORAGE": "s3",
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_STORAGE_BUCKET_NAME": self.public,
            "AWS_PRIVATE_BUCKET_NAME": self.private,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION,
        }

    def keys(self, bucket: str) -> list[str]:
        listing = client(self.endpoint).list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))


def create_buckets(url: str) -> Buckets:
    """A fresh public bucket (anonymous GetObject through a bucket policy, as on AWS or MinIO) and a fresh
    private one (no policy: every request must be signed)."""
    suffix = uuid.uuid4().hex[:10]
    buckets = Buckets(endpoint=url, public=f"kei-public-{suffix}", private=f"kei-private-{suffix}")
    s3 = client(url)
    for name in (buckets.public, buckets.private):
        s3.create_bucket(Bucket=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRenditions",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{buckets.public}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=buckets.public, Policy=json.dumps(policy))
    return buckets


def drop_buckets(buckets: Buckets) -> None:
    s3 = client(buckets.endpoint)
    for name in (buckets.public, buckets.private):
        try:
            for key in buckets.keys(name):
                s3.delete_object(Bucket=name, Key=key)
            s3.delete_bucket(Bucket=name)
        except Exception:  # the server went away: nothing to clean
            pass
