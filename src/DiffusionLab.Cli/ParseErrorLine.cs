using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace DiffusionLab.Cli;

/// <summary>
/// One line for a command line the parser rejected: what is wrong with which option or word, System.CommandLine's
/// typo corrections for a mistyped command or option ("did you mean 'train'?"), and where the command's help is.
/// </summary>
public static class ParseErrorLine
{
    public static string Of(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var corrections = TypoCorrections(parse);
        var messages = new List<string>();
        bool afterUnknownOption = false;
        foreach (var token in parse.UnmatchedTokens)
        {
            bool isOption = token.StartsWith('-') && token.Length > 1;
            // The word after an unknown option is most likely its value, not a second mistake.
            if (!isOption && afterUnknownOption) { afterUnknownOption = false; continue; }
            afterUnknownOption = isOption;
            string what = isOption ? "unknown option" : command.Subcommands.Count > 0 ? "unknown command" : "unexpected argument";
            string message = $"{what} '{token}'";
            if (corrections.TryGetValue(token, out var candidates) && candidates.Count > 0)
                message += $" (did you mean {string.Join(" or ", candidates.Select(c => $"'{c}'"))}?)";
            messages.Add(message);
        }
        // The parser's own message for each unmatched word is replaced by the one above.
        messages.AddRange(parse.Errors.Select(e => e.Message.TrimEnd('.'))
            .Where(m => !parse.UnmatchedTokens.Any(t => m.Contains($"'{t}'", StringComparison.Ordinal))));
        return $"{string.Join("; ", messages.Distinct())} (see {Path(parse.CommandResult)} --help)";
    }

    /// <summary>`difflab bench train` for the command a parse stopped in.</summary>
    public static string Path(CommandResult result)
    {
        var names = new List<string>();
        for (var r = result; r?.Parent is CommandResult parent; r = parent) names.Add(r.Command.Name);
        names.Add("difflab");
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>
    /// System.CommandLine's typo corrections per unmatched word. Its parse-error action is the only public way to them,
    /// and it writes them as text: a line naming the word in quotes, then one candidate per line.
    /// </summary>
    private static Dictionary<string, List<string>> TypoCorrections(ParseResult parse)
    {
        var corrections = new Dictionary<string, List<string>>();
        if (parse.UnmatchedTokens.Count == 0 || parse.Action is not ParseErrorAction action) return corrections;
        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        var output = new StringWriter();
        parse.Invoke(new InvocationConfiguration { Output = output, Error = TextWriter.Null });
        List<string>? current = null;
        foreach (var line in output.ToString().Split('\n', StringSplitOptions.TrimEntries))
        {
            string? token = parse.UnmatchedTokens.FirstOrDefault(t => line.StartsWith($"'{t}'", StringComparison.Ordinal));
            if (token is not null) corrections[token] = current = new List<string>();
            else if (line.Length == 0) current = null;
            else current?.Add(line);
        }
        return corrections;
    }
}
