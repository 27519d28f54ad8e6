CONSUMER_GROUP = "customers"
