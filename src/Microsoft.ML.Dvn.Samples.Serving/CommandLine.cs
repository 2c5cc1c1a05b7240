using System.Globalization;

namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>Command-line options: <c>--name value</c> pairs and flags (<c>--help</c>, <c>--quick</c>).</summary>
internal static class CommandLine
{
    /// <param name="args">The arguments.</param>
    /// <param name="known">The options that take a value.</param>
    /// <param name="flags">The options that take none.</param>
    public static Dictionary<string, string?> Parse(string[] args, string[] known, params string[] flags)
    {
        var options = new Dictionary<string, string?>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : throw new ArgumentException($"'{args[i]}' is not an option (--name value).");
            if (flags.Contains(name))
                options[name] = null;
            else if (known.Contains(name))
                options[name] = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"--{name} needs a value.");
            else
                throw new ArgumentException($"Unknown option --{name}; the options are {string.Join(", ", known.Concat(flags).Select(k => "--" + k))}.");
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
