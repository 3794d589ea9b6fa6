"""Process boundaries, all in one place: every process a build starts is started here.

A build runs in three kinds of process (docs/architecture.md, "Processes", draws which step
runs where and the measurements behind each boundary):

- the CLI process loads, plans and assembles. Run as a process (``briefing build``, not called
  from Python), it imports the build's libraries ``uncollected(freeze=True)`` and ends with
  ``os._exit``;
- forked workers, one per job, ``run_jobs([Job(name, func, args), ...], workers=2,
  timeout=120)``: a chapter's print (and its sponsor PDF), the book's front matter, long books'
  page-number overlays. A worker ends when its job ends; a job over its timeout is killed;
  each ``Outcome`` says what it returned or why it failed, and a job may ``tell`` its parent
  something before it ends (``on_news``). The `build` command forks one worker as it starts
  (``Held``), which imports WeasyPrint while the build reads its data, and prints the chapter
  if there is exactly one to print;
- the spare process, ``Spare(Binder)``: a fresh interpreter hosting one object, started early,
  whose methods run there (``spare.send(Binder.prebind, ...)``, ``spare.call(Binder.bind,
  job)``): books are bound in it.

Every one of them dies with the run that started it, and a run stopped by SIGTERM or SIGINT
kills and reaps them first (``lifetime``; docs/architecture.md, "How a run stops").

Nothing outside this package keeps state per process. What lives as long as a process is an
object: owned by its caller (a chapter's ``Hyphens``), or hosted by the spare process (the
``Binder`` and its merges started ahead). What remains at module level are pure memos
(``functools.cache``/``lru_cache`` of what files hold, or of a registration done once).
"""

from briefing.processes.heap import uncollected
from briefing.processes.lifetime import ask_stop, clear_stop, interrupt, stop_on_signals
from briefing.processes.spare import Spare
from briefing.processes.workers import Held, Job, Outcome, run_jobs, tell

__all__ = ["Held", "Job", "Outcome", "Spare", "ask_stop", "clear_stop", "interrupt", "run_jobs", "stop_on_signals",
           "tell", "uncollected"]
