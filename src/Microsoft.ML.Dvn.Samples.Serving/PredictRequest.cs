using System.Text.Json;

namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// Reads the body of POST /predict into pipeline rows, checking every field against the served model:
/// <code>
/// { "rows": [ { "features": [784 numbers], "task": "fine", "memoryBudgetBytes": 400000 } ] }
/// </code>
/// A row gives its task and its features, and any of the budgets <c>memoryBudget</c> (parameters),
/// <c>memoryBudgetBytes</c> (bytes) and <c>latencyBudget</c> (microseconds); a missing or null budget is no limit.
/// Anything else is a <see cref="BadRequest"/> naming the field.
/// </summary>
public static class PredictRequest
{
    public const string Features = "features", Task = "task", MemoryBudget = "memoryBudget", MemoryBudgetBytes = "memoryBudgetBytes", LatencyBudget = "latencyBudget";

    private static readonly string[] Fields = { Features, Task, MemoryBudget, MemoryBudgetBytes, LatencyBudget };

    public static List<ServingInput> Read(JsonElement body, ServedModel model, int maxRows)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new BadRequest("body", $"a JSON {Kind(body)}; expected an object {{ \"rows\": [ ... ] }}");
        foreach (var property in body.EnumerateObject())
            if (property.Name != "rows")
                throw new BadRequest(property.Name, "unknown field; the body has one field, rows");
        if (!body.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array)
            throw new BadRequest("rows", $"{(body.TryGetProperty("rows", out var r) ? $"a JSON {Kind(r)}" : "missing")}; expected an array of rows");
        int count = rows.GetArrayLength();
        if (count == 0 || count > maxRows)
            throw new BadRequest("rows", $"{count} rows; expected 1 to {maxRows}");
        return rows.EnumerateArray().Select((row, i) => Row(row, $"rows[{i}]", model)).ToList();
    }

    private static ServingInput Row(JsonElement row, string name, ServedModel model)
    {
        if (row.ValueKind != JsonValueKind.Object)
            throw new BadRequest(name, $"a JSON {Kind(row)}; expected an object with {Features}, {Task} and optionally a budget");
        foreach (var property in row.EnumerateObject())
            if (!Fields.Contains(property.Name))
                throw new BadRequest($"{name}.{property.Name}", $"unknown field; a row has {string.Join(", ", Fields)}");
        return new ServingInput
        {
            Features = FeatureVector(row, $"{name}.{Features}", model.FeatureLength),
            Task = TaskName(row, $"{name}.{Task}", model),
            MemoryBudget = Budget(row, name, MemoryBudget, "parameters"),
            MemoryBudgetBytes = Budget(row, name, MemoryBudgetBytes, "bytes"),
            LatencyBudget = Budget(row, name, LatencyBudget, "microseconds"),
        };
    }

    private static float[] FeatureVector(JsonElement row, string field, int length)
    {
        if (!row.TryGetProperty(Features, out var values) || values.ValueKind != JsonValueKind.Array)
            throw new BadRequest(field, $"{Describe(row, Features)}; expected an array of {length} numbers");
        if (values.GetArrayLength() != length)
            throw new BadRequest(field, $"{values.GetArrayLength()} values; expected {length} (the model's feature length)");
        var features = new float[length];
        int i = 0;
        foreach (var value in values.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out features[i]) || !float.IsFinite(features[i]))
                throw new BadRequest($"{field}[{i}]", $"{value.GetRawText()}; expected a finite number (Single)");
            i++;
        }
        return features;
    }

    private static string TaskName(JsonElement row, string field, ServedModel model)
    {
        if (!row.TryGetProperty(Task, out var task) || task.ValueKind != JsonValueKind.String)
            throw new BadRequest(field, $"{Describe(row, Task)}; expected the name of a task: {string.Join(", ", model.TaskNames)}");
        string name = task.GetString()!;
        return model.TaskKey(name) is null
            ? throw new BadRequest(field, $"'{name}' is not a task of the served model; its tasks are {string.Join(", ", model.TaskNames)}")
            : name;
    }

    private static double Budget(JsonElement row, string name, string field, string unit)
    {
        if (!row.TryGetProperty(field, out var budget) || budget.ValueKind == JsonValueKind.Null)
            return double.NaN;
        if (budget.ValueKind != JsonValueKind.Number || !budget.TryGetDouble(out double value) || !double.IsFinite(value))
            throw new BadRequest($"{name}.{field}", $"{budget.GetRawText()}; expected a number of {unit}, or null for no limit");
        return value;
    }

    private static string Describe(JsonElement row, string field) =>
        row.TryGetProperty(field, out var value) ? $"a JSON {Kind(value)}" : "missing";

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();
}
