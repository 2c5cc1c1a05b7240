// Tests share one process-wide libtorch; they run one after another so timings and thread use stay predictable.
[assembly: DoNotParallelize]
