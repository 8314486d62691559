import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# A gthread worker's threads share one interpreter lock. A thread rendering a heavy page keeps
# it for up to the switch interval (5 ms by default) each time a light request (a cached page,
# /healthz) needs it, several times per request; 1 ms keeps those answering while cold pages
# are computed (measured with bench/real_use.py's isolation run, bench/RESULTS.md).
sys.setswitchinterval(0.001)
application = get_wsgi_application()
