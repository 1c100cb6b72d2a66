print("logship")
