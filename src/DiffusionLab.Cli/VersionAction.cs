using System.CommandLine;
using System.CommandLine.Invocation;

namespace DiffusionLab.Cli;

/// <summary>`difflab --version`: the version and the git revision difflab was built from.</summary>
public sealed class VersionAction : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine($"difflab {GitRevision.Version} (git {GitRevision.OfBuild()})");
        return CommandRunner.Ok;
    }
}
