using DiffusionLab.NotebookRunner;

return await RunnerCommand.RunAsync(args, Console.Out, Console.Error);
