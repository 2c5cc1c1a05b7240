namespace Microsoft.ML.Dvn;

/// <summary>In which order the tasks' mini-batches of an epoch are trained.</summary>
public enum DvnBatchOrder
{
    /// <summary>
    /// Tasks take turns, one batch each; a task with more batches than the others goes on alone at the end of the
    /// epoch.
    /// </summary>
    RoundRobin,

    /// <summary>
    /// Every task's batches are spread evenly over the epoch, in proportion to its rows: a task with twice the rows
    /// trains twice as often at every point of the epoch, and no task trains alone at its end.
    /// </summary>
    Proportional,
}
