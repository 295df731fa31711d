using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using DiffusionLab.Core;

namespace DiffusionLab.Cli;

/// <summary>
/// The typed options difflab's commands declare. Each one converts and checks its value while the command line is
/// parsed, so a bad value is a one-line parse error naming the option (exit 2) before any work starts, and its
/// placeholder, description and default show in the command's --help.
/// </summary>
public static class CliOptions
{
    /// <summary>--set Key=Value, repeatable: overrides applied in order (<see cref="ConfigOverrides"/>).</summary>
    public static Option<string[]> Overrides(string description, string helpName = "Key=Value") =>
        new("--set") { HelpName = helpName, Description = description + " (repeatable)" };

    /// <summary>An integer in [min, max] ("option --count '0': expected a positive integer" otherwise).</summary>
    public static Option<int> Int(string name, string helpName, string description, int defaultValue, int min = 1, int max = int.MaxValue)
        => new(name)
        {
            HelpName = helpName, Description = description, DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseInt(r, name, min, max) ?? defaultValue,
        };

    /// <summary>An integer in [min, max] that the command cannot do without.</summary>
    public static Option<int> RequiredInt(string name, string helpName, string description, int min = 1, int max = int.MaxValue) => new(name)
    {
        HelpName = helpName, Description = description, Required = true,
        CustomParser = r => ParseInt(r, name, min, max) ?? 0,
    };

    /// <summary>An integer in [min, max], or null when the option is absent (the description says what absent means).</summary>
    public static Option<int?> OptionalInt(string name, string helpName, string description, int min = 1, int max = int.MaxValue) =>
        new(name) { HelpName = helpName, Description = description, CustomParser = r => ParseInt(r, name, min, max) };

    /// <summary>Any 64-bit integer (seeds).</summary>
    public static Option<long> Long(string name, string helpName, string description, long defaultValue) => new(name)
    {
        HelpName = helpName, Description = description, DefaultValueFactory = _ => defaultValue,
        CustomParser = r => long.TryParse(Text(r), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value
            : Fail(r, $"option {name} '{Text(r)}': expected an integer", defaultValue),
    };

    /// <summary>A number in [min, max].</summary>
    public static Option<double> Number(string name, string helpName, string description, double defaultValue, double min, double max) => new(name)
    {
        HelpName = helpName, Description = description, DefaultValueFactory = _ => defaultValue,
        CustomParser = r => double.TryParse(Text(r), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max ? value
            : Fail(r, FormattableString.Invariant($"option {name} '{Text(r)}': expected a number in [{min}, {max}]"), defaultValue),
    };

    /// <summary>Comma-separated numbers (--weights 1,1,0.5), or null when the option is absent.</summary>
    public static Option<IReadOnlyList<double>?> Numbers(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName, Description = description,
        CustomParser = r => ParseList<double>(r, name, "comma-separated numbers",
            s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : null),
    };

    /// <summary>Comma-separated integers (--labels 0,1,2), or null when the option is absent.</summary>
    public static Option<IReadOnlyList<long>?> Integers(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName, Description = description, CustomParser = r => ParseIntegers(r, name),
    };

    /// <summary>Comma-separated names (--only dit,mdt), or null when the option is absent; the command checks them against what exists.</summary>
    public static Option<IReadOnlyList<string>?> Names(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName, Description = description,
        CustomParser = r =>
        {
            if (r.Tokens.Count == 0) return null;
            var names = Text(r).Split(',', StringSplitOptions.TrimEntries);
            return names.Any(n => n.Length == 0) ? Fail<IReadOnlyList<string>?>(r, $"option {name} '{Text(r)}': expected comma-separated names", null) : names;
        },
    };

    /// <summary>One word of a closed list (--mode batch|bank); the words complete in a shell.</summary>
    public static Option<string> Choice(string name, string description, IReadOnlyList<string> words, string? defaultValue = null)
    {
        var option = new Option<string>(name)
        {
            HelpName = string.Join('|', words), Description = description,
            CustomParser = r => words.Contains(Text(r)) ? Text(r)
                : Fail(r, $"option {name} '{Text(r)}': expected {Listing(words)}", ""),
        };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        option.CompletionSources.Add([.. words]);
        return option;
    }

    /// <summary>
    /// One word of a config enum (--precision fp32|bf16), spelled as in configs; the command reads it with
    /// <see cref="Word{T}"/>. A word, not the enum, so that --help shows the default as a config would spell it.
    /// </summary>
    public static Option<string> Choice<T>(string name, string description, T defaultValue) where T : struct, Enum
    {
        var words = ConfigChoice.Words(typeof(T)).Select(w => w.Word).ToArray();
        var option = new Option<string>(name)
        {
            HelpName = string.Join('|', words), Description = description, DefaultValueFactory = _ => ConfigChoice.Name(defaultValue),
            CustomParser = r => ConfigChoice.TryParse<T>(Text(r), out _) ? Text(r)
                : Fail(r, $"option {name} '{Text(r)}': expected {ConfigChoice.Expected<T>()}", ""),
        };
        option.CompletionSources.Add(words);
        return option;
    }

    /// <summary>The value of a <see cref="Choice{T}"/> option's word.</summary>
    public static T Word<T>(string word) where T : struct, Enum =>
        ConfigChoice.TryParse<T>(word, out var value) ? value : throw new UsageException($"'{word}': expected {ConfigChoice.Expected<T>()}");

    /// <summary>"a, b or c".</summary>
    public static string Listing(IReadOnlyList<string> words) =>
        words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + " or " + words[^1];

    /// <summary>A rule between an option's parsed value and the command (e.g. at least 2 DDIM steps), checked while parsing.</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, bool> valid, Func<T, string> message)
    {
        option.Validators.Add(r =>
        {
            if (r.Errors.Any() || r.Implicit) return;
            var value = r.GetValueOrDefault<T>();
            if (!valid(value)) r.AddError(message(value));
        });
        return option;
    }

    private static string Text(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    private static T Fail<T>(ArgumentResult r, string message, T placeholder)
    {
        r.AddError(message);
        return placeholder;
    }

    private static int? ParseInt(ArgumentResult r, string name, int min, int max)
    {
        if (r.Tokens.Count == 0) return null;
        string text = Text(r);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max) return value;
        string expected = (min, max) switch
        {
            (1, int.MaxValue) => "a positive integer",
            (_, int.MaxValue) => $"an integer >= {min}",
            _ => $"an integer in [{min}, {max}]",
        };
        return Fail<int?>(r, $"option {name} '{text}': expected {expected}", null);
    }

    private static IReadOnlyList<long>? ParseIntegers(ArgumentResult r, string name) =>
        ParseList<long>(r, name, "comma-separated integers", s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : null);

    private static IReadOnlyList<T>? ParseList<T>(ArgumentResult r, string name, string expected, Func<string, T?> parse) where T : struct
    {
        if (r.Tokens.Count == 0) return null;
        string text = Text(r);
        var values = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (parse(part) is not { } value) return Fail<IReadOnlyList<T>?>(r, $"option {name} '{text}': expected {expected}", null);
            values.Add(value);
        }
        return values;
    }
}
