using System.CommandLine;

namespace DiffusionLab.Cli;

/// <summary>A command that only holds subcommands (`difflab bench`, `difflab world`): run alone, it names them.</summary>
public static class CommandGroup
{
    public static Command Create(string name, string description, params Command[] subcommands)
    {
        var group = new Command(name, description);
        foreach (var subcommand in subcommands) group.Subcommands.Add(subcommand);
        group.SetAction(MissingCommand);
        return group;

        int MissingCommand(ParseResult parse)
        {
            string path = ParseErrorLine.Path(parse.CommandResult);
            throw new UsageException($"{path["difflab ".Length..]}: expected a command: {CliOptions.Listing(subcommands.Select(c => c.Name).ToList())} (see {path} --help)");
        }
    }
}
