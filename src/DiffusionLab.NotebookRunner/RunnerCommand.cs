namespace DiffusionLab.NotebookRunner;

/// <summary>
/// `DiffusionLab.NotebookRunner NOTEBOOK.ipynb [--set name=value ...] [--output OUT.ipynb]`: runs every C#
/// cell top to bottom in the notebook's folder, writes the executed notebook, and exits 0 (all cells ran),
/// 1 (a cell failed: later cells are not run, the failing cell is named on stderr) or 2 (bad input).
/// `difflab notebook run` starts this as a child process.
/// </summary>
public static class RunnerCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? notebook = null, output = null;
        var sets = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a is "--set" or "--output")
            {
                if (i + 1 >= args.Length) return Fail(stderr, $"option {a}: expected a value");
                if (a == "--set") sets.Add(args[++i]); else output = args[++i];
            }
            else if (a.StartsWith("--", StringComparison.Ordinal)) return Fail(stderr, $"unknown option {a}");
            else if (notebook is null) notebook = a;
            else return Fail(stderr, $"unexpected argument '{a}'");
        }
        if (notebook is null) return Fail(stderr, "missing argument: NOTEBOOK.ipynb");
        if (!File.Exists(notebook)) return Fail(stderr, $"notebook '{notebook}': file not found");
        notebook = Path.GetFullPath(notebook);
        output = Path.GetFullPath(output ?? Path.ChangeExtension(notebook, ".out.ipynb"));

        IpynbNotebook doc;
        try
        {
            doc = IpynbNotebook.Parse(await File.ReadAllTextAsync(notebook));
            if (sets.Count > 0) doc.InjectParameters(NotebookParameters.Parse(sets));
        }
        catch (FormatException e) { return Fail(stderr, $"notebook '{notebook}': {e.Message}"); }

        // Relative paths in cells (#r "../build/…", data files) mean the notebook's folder, as in Jupyter and VS Code.
        Directory.SetCurrentDirectory(Path.GetDirectoryName(notebook)!);
        var result = await new NotebookExecutor(stdout).RunAsync(doc);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        string temp = output + ".tmp";
        await File.WriteAllTextAsync(temp, doc.ToJson());
        File.Move(temp, output, overwrite: true);

        if (result.FailedCell is { } failed)
        {
            stderr.WriteLine($"notebook: cell {failed.Number} of {doc.Cells.Count} failed ({failed.Title}): {FirstLine(failed.Error!)}");
            stderr.WriteLine($"notebook: executed notebook with the error written to {output}");
            return 1;
        }
        stdout.WriteLine($"notebook: {result.CellsRun} code cells ran in {result.Seconds:F1} s; wrote {output}");
        return 0;
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"notebook: {message}");
        return 2;
    }

    private static string FirstLine(string s) => s.Trim().Split('\n')[0].Trim();
}
