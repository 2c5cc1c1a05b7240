namespace Microsoft.ML.Dvn;

/// <summary>How tasks are placed on the line of home units, which decides which tasks share the most units.</summary>
public enum DvnTaskOrder
{
    /// <summary>Task key t sits at position t (the paper's rule): sharing follows the task column's key order.</summary>
    TaskKeys,

    /// <summary>
    /// Ours: after a short joint warm-up of a shared network, the cosine similarity of the tasks' gradients on the
    /// shared weights is measured, and the tasks are placed so that the most similar ones share the most units.
    /// Deterministic for a seed and independent of the order of the rows and of the task keys.
    /// </summary>
    Affinity,
}
