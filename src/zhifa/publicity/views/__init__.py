"""The public portal (行政执法公示, no login: ``/gs/``) and the staff's publication screens (``/publicity/``).

- ``common``: the agency a portal page belongs to, and the portal's response (cacheable, no cookies);
- ``portal``: home, published decisions (search, a decision, its masked document), withdrawal notices;
- ``before``: 事前公开 — agency and units, officers, 权责清单 and items, benchmarks, 免罚清单, procedure chart,
  service guides, supervision channels;
- ``opendata``: CSV, JSON and Atom of the published decisions;
- ``report``: the annual statistics reports;
- ``staff``: the dashboard (due, late, to withdraw), publishing and withdrawing, publishing the annual report.
"""
