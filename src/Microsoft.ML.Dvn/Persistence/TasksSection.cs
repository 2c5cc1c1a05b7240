using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The tasks section: for every network task, the task key it serves, its classes (label keys) and its levels (number,
/// parameter count, units). Everything here follows from the architecture and the keys, and is checked against them.
/// </summary>
/// <remarks>
/// An extracted sub-network (<see cref="DvnTransformer.ExtractSubnetwork"/>) is a network of one task, one unit and one
/// level that keeps the level number and units it had in the DVN it came from; the file does not say that DVN's units
/// and levels, so for such a network the units are checked to be a contiguous range of at least the level's number of
/// units, and the parameter count against the network itself.
/// </remarks>
internal static class TasksSection
{
    public const string Name = "tasks";

    // A level takes at least its number (4 bytes), its parameter count (8) and its unit count (4).
    private const int SmallestLevel = 16;

    public static void Write(BinaryWriter writer, DvnModel model)
    {
        writer.WriteList(model.ServedTaskKeys);
        foreach (var task in model.Served)
            writer.WriteList(task.Classes.Select(c => checked((int)c)).ToArray());
        foreach (var level in model.Served.SelectMany(t => t.Levels))
        {
            writer.Write(level.Level);
            writer.Write(level.ParameterCount);
            writer.WriteList(level.Units);
        }
    }

    public static ServedTask[] Read(PayloadReader reader, DeclaredNetwork network, KeyDomain labels, KeyDomain tasks)
    {
        int taskCount = network.NumberOfTasks, levelCount = network.Allocation.NumberOfLevels;
        var keys = reader.Int32s("servedKeys");
        InvalidModel.Require(keys.Length == taskCount, reader.Name("servedKeys"), $"a list of {keys.Length}", $"one task key for each of the {taskCount} network tasks");
        CheckKeys(reader, "servedKeys", keys, tasks.Count, "task");
        // Only an extracted level serves fewer tasks than the task column has keys.
        InvalidModel.Require(IsExtracted(network) || taskCount == tasks.Count, reader.Name("servedKeys"), $"a list of {keys.Length}",
            $"one task key for each of the {tasks.Count} task keys (a network of more than one task, unit or level serves every task)");

        var classes = new uint[taskCount][];
        for (int t = 0; t < taskCount; t++)
        {
            string field = $"classes[{t}]";
            var keysOfTask = reader.Int32s(field);
            InvalidModel.Require(keysOfTask.Length == network.ClassCounts[t], reader.Name(field), $"a list of {keysOfTask.Length}",
                $"{network.ClassCounts[t]} label keys (the class count of network task {t + 1})");
            CheckKeys(reader, field, keysOfTask, labels.Count, "label");
            classes[t] = keysOfTask.Select(k => (uint)k).ToArray();
        }

        if ((long)taskCount * levelCount > reader.Remaining / SmallestLevel)
            throw InvalidModel.Error($"'{reader.Name("levels")}' needs {taskCount} x {levelCount} levels, but only {reader.Remaining} bytes are left");
        var served = new ServedTask[taskCount];
        for (int t = 0; t < taskCount; t++)
        {
            var levels = new LevelDescriptor[levelCount];
            for (int j = 0; j < levelCount; j++)
                levels[j] = ReadLevel(reader, $"levels[{t}][{j}]", network, t + 1, j + 1);
            served[t] = new ServedTask(keys[t], classes[t], levels);
        }
        return served;
    }

    private static LevelDescriptor ReadLevel(PayloadReader reader, string field, DeclaredNetwork network, int task, int level)
    {
        // The activations are not stored: they follow from the declared network.
        var stored = new LevelDescriptor(reader.Int32($"{field}.level"), reader.Int64($"{field}.parameterCount"), reader.Int32s($"{field}.units"),
            network.LevelActivationValues(task, level));
        long parameters = network.LevelParameterCount(task, level);
        InvalidModel.Require(stored.ParameterCount == parameters, reader.Name($"{field}.parameterCount"), stored.ParameterCount,
            $"{parameters}, what network task {task} reads at level {level}");
        var allocation = network.Allocation;
        if (IsExtracted(network))
        {
            InvalidModel.Require(stored.Level >= 1, reader.Name($"{field}.level"), stored.Level, "at least 1");
            var units = stored.Units;
            bool contiguous = units.Length >= stored.Level && units[0] >= 1 && IsRange(units, units[0], units.Length);
            InvalidModel.Require(contiguous, reader.Name($"{field}.units"), Describe(units),
                $"a contiguous range of at least {stored.Level} units from unit 1 or later (level {stored.Level} of the DVN the model was extracted from)");
            return stored;
        }
        InvalidModel.Require(stored.Level == level, reader.Name($"{field}.level"), stored.Level, $"{level}");
        var rule = allocation.Units(task, level);
        InvalidModel.Require(IsRange(stored.Units, rule.First, rule.Count), reader.Name($"{field}.units"), Describe(stored.Units),
            $"units {rule.First} to {rule.Last}, the allocation rule's units for network task {task} at level {level}");
        return stored;
    }

    private static void CheckKeys(PayloadReader reader, string field, int[] keys, int keyCount, string column)
    {
        var seen = new HashSet<int>();
        for (int i = 0; i < keys.Length; i++)
        {
            InvalidModel.Require(keys[i] >= 1 && keys[i] <= keyCount, reader.Name($"{field}[{i}]"), keys[i], $"a {column} key from 1 to {keyCount}");
            InvalidModel.Require(seen.Add(keys[i]), reader.Name($"{field}[{i}]"), keys[i], $"a {column} key not listed before");
        }
    }

    // An extracted level is a network of one task, one unit and one level (so is a DVN of that shape).
    private static bool IsExtracted(DeclaredNetwork network) => network.Allocation is { NumberOfTasks: 1, NumberOfUnits: 1, NumberOfLevels: 1 };

    private static bool IsRange(int[] units, int first, int count)
    {
        if (units.Length != count)
            return false;
        for (int i = 0; i < units.Length; i++)
            if (units[i] != (long)first + i)
                return false;
        return true;
    }

    private static string Describe(int[] units) => units.Length <= 8
        ? $"[{string.Join(", ", units)}]"
        : $"[{string.Join(", ", units.Take(8))}, ... ({units.Length} units)]";
}
