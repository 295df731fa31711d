using System.Diagnostics;

namespace DiffusionLab.Tests.Cli;

/// <summary>
/// `difflab ARGS` as a child process (one torch thread, output redirected and read line by line), for what only
/// another process can show: signals, the OS's file locks of a killed process.
/// </summary>
internal static class ChildDifflab
{
    public static Process Start(Action<string>? onOutputLine, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["OMP_NUM_THREADS"] = "1" },
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "difflab.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var child = Process.Start(info)!;
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) onOutputLine?.Invoke(e.Data); };
        child.ErrorDataReceived += (_, _) => { };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return child;
    }
}
