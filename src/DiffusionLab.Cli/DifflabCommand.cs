using System.CommandLine;
using DiffusionLab.Cli.Commands;

namespace DiffusionLab.Cli;

/// <summary>
/// The command tree of `difflab`: every command with its arguments and options (each command file declares its own),
/// --help at every level, --version, typo corrections and shell completion (the [suggest] directive).
/// </summary>
public static class DifflabCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("difflab: DiffusionLab command line. Exit codes: 0 ok, 1 failure while running, 2 bad input (config, path, checkpoint, option).")
        {
            // The name in usage lines, whatever hosts us (dotnet run, the test host).
            HelpName = "difflab",
        };
        root.Subcommands.Add(TrainCommand.Definition());
        root.Subcommands.Add(SampleCommand.Definition());
        root.Subcommands.Add(EvaluateCommand.Definition());
        root.Subcommands.Add(ModelInfoCommand.Definition());
        root.Subcommands.Add(ModelsCommand.Definition());
        root.Subcommands.Add(BenchCommand.Definition());
        root.Subcommands.Add(StudyCommand.Definition());
        root.Subcommands.Add(NotebookCommand.Definition());
        root.Subcommands.Add(WorldCommand.Definition());
        root.Subcommands.Add(StoryCommand.Definition());
        root.Subcommands.Add(ClipCommand.Definition());
        root.Subcommands.Add(PersonalizeCommand.Definition());
        root.Subcommands.Add(EvaluatorsCommand.Definition());
        root.Subcommands.Add(HelpCommand.Create(root));
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
        // `difflab` alone: the overview, and exit 2 as for any incomplete command line.
        root.SetAction(parse =>
        {
            Parse(root, ["--help"]).Invoke(parse.InvocationConfiguration);
            return CommandRunner.BadInput;
        });
        return root;
    }

    /// <summary>
    /// Parses a difflab command line. No response files: an argument starting with '@' (a prompt, a path) is itself,
    /// as it always was.
    /// </summary>
    public static ParseResult Parse(RootCommand root, IReadOnlyList<string> args) =>
        root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

    /// <inheritdoc cref="Parse(RootCommand, IReadOnlyList{string})"/>
    public static ParseResult Parse(IReadOnlyList<string> args) => Parse(Create(), args);
}
