namespace Microsoft.ML.Dvn.Samples;

/// <summary>
/// The options of one command, given as <c>--name value</c> or, for switches, <c>--name</c>. Every option a command
/// reads must be one it declares; anything else is an error that lists what the command accepts.
/// </summary>
internal sealed class Arguments
{
    private readonly string _command;
    private readonly Dictionary<string, string?> _values;
    private readonly HashSet<string> _read = new();

    private Arguments(string command, Dictionary<string, string?> values, IReadOnlyList<string> given)
    {
        _command = command;
        _values = values;
        Given = given;
    }

    /// <summary>The options as given on the command line, in order (to start another process with them).</summary>
    public IReadOnlyList<string> Given { get; }

    /// <summary>Splits <paramref name="args"/> into options; <paramref name="switches"/> are the options without a value.</summary>
    public static Arguments Parse(string command, IReadOnlyList<string> args, params string[] switches)
    {
        var values = new Dictionary<string, string?>();
        for (int i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length == 2)
                throw new UsageException($"'{command}': expected an option such as --epochs 3, got '{args[i]}'.");
            string name = args[i][2..];
            if (values.ContainsKey(name))
                throw new UsageException($"'{command}': --{name} is given twice.");
            if (switches.Contains(name))
                values[name] = null;
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                values[name] = args[++i];
            else
                throw new UsageException($"'{command}': --{name} needs a value.");
        }
        return new Arguments(command, values, args.ToArray());
    }

    public string? Text(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public string RequiredText(string name) =>
        Text(name) ?? throw new UsageException($"'{_command}' needs --{name}.");

    public bool Switch(string name)
    {
        _read.Add(name);
        return _values.ContainsKey(name);
    }

    public int? Integer(string name, int minimum)
    {
        string? text = Text(name);
        if (text is null)
            return null;
        if (!int.TryParse(text, out int value) || value < minimum)
            throw new UsageException($"'{_command}': --{name} is '{text}'; expected a whole number of at least {minimum}.");
        return value;
    }

    public long? Long(string name, long minimum)
    {
        string? text = Text(name);
        if (text is null)
            return null;
        if (!long.TryParse(text, out long value) || value < minimum)
            throw new UsageException($"'{_command}': --{name} is '{text}'; expected a whole number of at least {minimum}.");
        return value;
    }

    public double? Number(string name, double minimum)
    {
        string? text = Text(name);
        if (text is null)
            return null;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value) || value < minimum)
            throw new UsageException($"'{_command}': --{name} is '{text}'; expected a number of at least {minimum}.");
        return value;
    }

    /// <summary>One of <paramref name="allowed"/>, or null when the option is absent.</summary>
    public string? Choice(string name, params string[] allowed)
    {
        string? text = Text(name);
        if (text is not null && !allowed.Contains(text))
            throw new UsageException($"'{_command}': --{name} is '{text}'; expected {string.Join(" or ", allowed)}.");
        return text;
    }

    /// <summary>Fails on options the command did not read: call after reading them all.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToArray();
        if (unknown.Length > 0)
            throw new UsageException(
                $"'{_command}' does not know {string.Join(", ", unknown.Select(u => "--" + u))}; " +
                $"it takes {string.Join(", ", _read.Order().Select(r => "--" + r))}.");
    }
}

/// <summary>A command line the program cannot run: the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);
