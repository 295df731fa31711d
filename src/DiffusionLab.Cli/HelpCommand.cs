using System.CommandLine;

namespace DiffusionLab.Cli;

/// <summary>`difflab help [COMMAND ...]`: the same as `difflab [COMMAND ...] --help`.</summary>
public static class HelpCommand
{
    public static Command Create(RootCommand root)
    {
        var words = new Argument<string[]>("COMMAND") { Description = "the command (and subcommand) to describe, e.g. `bench train`", Arity = ArgumentArity.ZeroOrMore };
        var help = new Command("help", "Show the help of a command (the same as COMMAND --help)") { words };
        help.SetAction(parse => DifflabCommand.Parse(root, [.. parse.GetValue(words) ?? [], "--help"]).Invoke(parse.InvocationConfiguration));
        return help;
    }
}
