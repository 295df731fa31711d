using DiffusionLab.Cli;

namespace DiffusionLab.Tests.Cli;

/// <summary>Runs `difflab ARGS` in-process with captured output.</summary>
internal static class CliHarness
{
    public static (int Code, string Out, string Err) Difflab(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
