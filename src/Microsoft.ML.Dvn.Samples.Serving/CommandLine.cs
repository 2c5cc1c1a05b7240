using System.Globalization;

namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>The service's options: <c>--name value</c> pairs and the <c>--help</c> flag.</summary>
internal static class CommandLine
{
    private static readonly string[] Known = { "model", "port", "threads", "latency-rounds", "help" };

    public static Dictionary<string, string?> Parse(string[] args)
    {
        var options = new Dictionary<string, string?>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : throw new ArgumentException($"'{args[i]}' is not an option (--name value).");
            if (!Known.Contains(name))
                throw new ArgumentException($"Unknown option --{name}; the options are {string.Join(", ", Known.Select(k => "--" + k))}.");
            options[name] = name == "help" ? null : i + 1 < args.Length ? args[++i] : throw new ArgumentException($"--{name} needs a value.");
        }
        return options;
    }

    public static int Integer(Dictionary<string, string?> options, string name, int fallback, int minimum)
    {
        if (!options.TryGetValue(name, out var text))
            return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= minimum
            ? value
            : throw new ArgumentException($"--{name} is '{text}'; expected a whole number, {minimum} or more.");
    }
}
