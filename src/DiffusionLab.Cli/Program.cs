Console.WriteLine("difflab: the command is being built");
