/** Pitaya's worker metrics (Prometheus namespace `pitaya`), reported through core's MetricsReporter. */
export const WorkerMetric = {
  /** gauge {pool}: jobs running on this server */
  BusyWorkers: 'worker_pool_busy_workers',
  /** gauge {pool}: jobs this server may run at once */
  TotalWorkers: 'worker_pool_total_workers',
  /** counter {status: ok | failed}: jobs run on this server */
  JobsTotal: 'worker_worker_jobs_total',
  /** counter: retries this server scheduled */
  JobsRetry: 'worker_worker_jobs_retry_total',
  /** gauge {queue}: jobs waiting in the queue, sampled at each poll */
  QueueSize: 'worker_worker_queue_size',
} as const;
