"""The executable semantics of Concerto-D (import as `cdcheck.spec`).

Pure and I/O-free. `model.compile_plan` turns a checked plan into an indexed
`Model`; `system.ConcertoSystem` is the transition system the checker explores
(states from `state`, one function per Maude rule in `rules`); `props` compiles
LTL atoms; `invariants` checks well-formedness; `diagnose` explains deadlocks;
`export_maude` writes the plan for the Maude formalization. `rdd` is the RDD
semantics used by the Spark checks. Notes on conformance with the
formalization: docs/semantics-notes.md.
"""
