namespace DiffusionLab.Cli;

/// <summary>
/// Positional arguments and --options of one command; repeated --set collects every value. A list option
/// (<c>--refs a.png b.png c.png</c>) takes every following argument up to the next --option.
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _options = new();
    private readonly HashSet<string> _flags = new();
    private readonly HashSet<string> _read = new();

    public Arguments(IEnumerable<string> args, IReadOnlySet<string> flagNames, IReadOnlySet<string>? listNames = null)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string a = list[i];
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                string name = a[2..];
                string? inline = null;
                int eq = name.IndexOf('=');
                if (eq > 0 && name != "set") { inline = name[(eq + 1)..]; name = name[..eq]; }
                if (flagNames.Contains(name)) { _flags.Add(name); continue; }
                if (listNames?.Contains(name) == true && inline is null)
                {
                    if (!_options.TryGetValue(name, out var items)) _options[name] = items = new List<string>();
                    int before = items.Count;
                    while (i + 1 < list.Count && !IsOption(list[i + 1])) items.Add(list[++i]);
                    if (items.Count == before) throw new UsageException($"option --{name}: expected one or more values");
                    continue;
                }
                string value = inline ?? (i + 1 < list.Count ? list[++i] : throw new UsageException($"option --{name}: expected a value"));
                if (!_options.TryGetValue(name, out var values)) _options[name] = values = new List<string>();
                values.Add(value);
            }
            else Positional.Add(a);
        }
    }

    public List<string> Positional { get; } = new();

    private static bool IsOption(string a) => a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2;

    public bool Flag(string name) { _read.Add(name); return _flags.Contains(name); }

    public string? Option(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var v) ? v[^1] : null;
    }

    public IReadOnlyList<string> All(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var v) ? v : [];
    }

    public int Int(string name, int fallback)
    {
        string? v = Option(name);
        if (v is null) return fallback;
        return int.TryParse(v, out int i) && i > 0 ? i : throw new UsageException($"option --{name} '{v}': expected a positive integer");
    }

    public long Long(string name, long fallback)
    {
        string? v = Option(name);
        if (v is null) return fallback;
        return long.TryParse(v, out long i) ? i : throw new UsageException($"option --{name} '{v}': expected an integer");
    }

    /// <summary>A number option within [min, max].</summary>
    public double Double(string name, double fallback, double min, double max)
    {
        string? v = Option(name);
        if (v is null) return fallback;
        return double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && d >= min && d <= max
            ? d : throw new UsageException($"option --{name} '{v}': expected a number in [{min}, {max}]");
    }

    /// <summary>A comma-separated list of numbers (e.g. --weights 1,1,0.5), or null when the option is absent.</summary>
    public IReadOnlyList<double>? Doubles(string name)
    {
        string? v = Option(name);
        if (v is null) return null;
        var parts = v.Split(',', StringSplitOptions.TrimEntries);
        var values = new List<double>();
        foreach (var part in parts)
            values.Add(double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
                ? d : throw new UsageException($"option --{name} '{v}': expected comma-separated numbers"));
        return values;
    }

    /// <summary>A comma-separated list of integers (e.g. --seeds 0,1,2,3), or null when the option is absent.</summary>
    public IReadOnlyList<long>? Longs(string name)
    {
        string? v = Option(name);
        if (v is null) return null;
        var values = new List<long>();
        foreach (var part in v.Split(',', StringSplitOptions.TrimEntries))
            values.Add(long.TryParse(part, out long l) ? l : throw new UsageException($"option --{name} '{v}': expected comma-separated integers"));
        return values;
    }

    public string Positional1(string what)
    {
        if (Positional.Count == 0) throw new UsageException($"missing argument: {what}");
        return Positional[0];
    }

    /// <summary>Fails on an option the command did not read (a typo would otherwise be ignored silently).</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Concat(_flags).Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"unknown option --{unknown[0]}");
    }
}

/// <summary>A command-line mistake: printed as one line with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
