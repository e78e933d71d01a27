"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment. The app expects a TLS-terminating
reverse proxy in front (nginx, a load balancer); set TRUSTED_PROXY_COUNT to the number
of proxies so client addresses and https are read from X-Forwarded-* (werkzeug ProxyFix).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Measured on a 2-core host: 2 sync workers beat the (2 x cores) + 1 rule (docs/OPERATIONS.md).
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The app writes its own access log (with request ids and without query strings).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Requests arrive from the proxy on loopback only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The name shown in ps and top.
proc_name = "coordinator-web"
