"""zwgk.archive: a web archive (WARC, ISO 28500) of what each round saw.

* ``recorder`` — writes every request/response of a crawl to per-site ``.warc.gz``
  files and indexes them (``zwgk.storage.archive``).
* ``replay`` — serves a round's archive to the crawler instead of the network
  (``zwgk assess --from-archive``).
* ``evidence`` — the archived pages behind a finding, as files, an index and a WARC.
* ``prune`` — ``--archive findings``: keep only what backs a finding.

Archived content is untrusted: it is written out as files and shown as escaped text
or in a sandbox with scripts and every external request blocked, never followed.
"""
