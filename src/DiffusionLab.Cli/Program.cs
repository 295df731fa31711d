using DiffusionLab.Cli;

return CommandRunner.Run(args);
