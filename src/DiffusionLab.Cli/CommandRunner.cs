using System.CommandLine;
using System.CommandLine.Invocation;
using DiffusionLab.Core;

namespace DiffusionLab.Cli;

/// <summary>
/// Runs `difflab ARGS`: parses them against the command tree (<see cref="DifflabCommand"/>) and runs the chosen
/// command. The one place exit codes are decided: 0 ok, 1 failure while running, 2 bad input (a command line the
/// parser rejects, or a config, path, checkpoint or option value the command rejects), each error one line on stderr.
/// </summary>
public static class CommandRunner
{
    public const int Ok = 0, Failed = 1, BadInput = 2;

    /// <param name="stop">Stops a training command as Ctrl-C does (for tests).</param>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, CancellationToken stop = default)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        try
        {
            var parse = DifflabCommand.Parse(args);
            if (parse.Action is ParseErrorAction)
            {
                stderr.WriteLine($"difflab: {ParseErrorLine.Of(parse)}");
                return BadInput;
            }
            // No exception handler and no Ctrl-C handling of the library's: errors map to exit codes below, and the
            // long-running commands catch Ctrl-C themselves to write a checkpoint first.
            var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return parse.InvokeAsync(invocation, stop).GetAwaiter().GetResult();
        }
        catch (Exception e) when (IsBadInput(e))
        {
            stderr.WriteLine($"difflab: {OneLine(e.Message)}");
            return BadInput;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"difflab: failed: {OneLine(e.Message)}");
            if (Environment.GetEnvironmentVariable("DIFFLAB_TRACE") == "1") stderr.WriteLine(e);
            return Failed;
        }
    }

    private static bool IsBadInput(Exception e) =>
        e is UsageException or ConfigException or InvalidDataException or FormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
