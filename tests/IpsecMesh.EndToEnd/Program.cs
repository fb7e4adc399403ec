Console.WriteLine("end-to-end driver: not yet written");
return 2;
